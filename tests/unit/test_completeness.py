"""Everything a language and a topic intent need, each gap named by the file to add or change.

CONTRIBUTING.md's checklists "Adding a language" and "Adding a topic intent" are enforced here.
The checkers read a project folder, so the last tests can show that each check fails when its
piece is missing (on a copy of the project with that piece removed).
"""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from babel import Locale, UnknownLocaleError

from bot import intents
from bot.desk.signals import KINDS
from bot.i18n.languages import EXTRA_NAMES, FALLBACK_LANGUAGE, SUPPORTED_LANGUAGES
from bot.settings import DEFAULT_TEMPLATE_LANGUAGES
from bot.wiring import domain_intents

ROOT = Path(__file__).resolve().parents[2]
WEBCHAT_PAGE = "bot/channels/static/webchat.html"


@dataclass(frozen=True)
class Declared:
    """What the code declares per language (not files): where a new language must be added."""

    template_languages: Mapping[str, str] = field(
        default_factory=lambda: dict(DEFAULT_TEMPLATE_LANGUAGES)
    )
    extra_names: Mapping[str, Any] = field(default_factory=lambda: EXTRA_NAMES)


# --- reading the project ---------------------------------------------------------------------


def _yaml(path: Path) -> Any:
    stat = path.stat()
    return _parsed(str(path), stat.st_mtime_ns, stat.st_size)


@cache
def _parsed(path: str, mtime_ns: int, size: int) -> Any:
    return yaml.load(Path(path).read_text(encoding="utf-8"), Loader=yaml.CSafeLoader) or {}


def examples(folder: Path) -> dict[str, dict[str, int]]:
    """Training or held-out examples in ``folder``: intent → file name → how many."""
    found: dict[str, dict[str, int]] = {}
    for path in sorted(folder.glob("*.yml")) if folder.is_dir() else []:
        for entry in _yaml(path).get("nlu") or []:
            if isinstance(entry, dict) and "intent" in entry:
                lines = str(entry.get("examples") or "").splitlines()
                count = sum(1 for line in lines if line.strip().startswith("- "))
                if count:
                    by_file = found.setdefault(str(entry["intent"]), {})
                    by_file[path.name] = by_file.get(path.name, 0) + count
    return found


def answers_and_topics(root: Path, language: str) -> tuple[set[str], set[str]]:
    """The answer ids of a language and the topics that have a button title (``ui.yml``)."""
    answers: set[str] = set()
    titled: set[str] = set()
    folder = root / "locales" / language
    for path in sorted(folder.glob("*.yml")) if folder.is_dir() else []:
        data = _yaml(path)
        if isinstance(data, dict):
            answers |= set(data.get("answers") or {})
            titled |= set((data.get("ui") or {}).get("topics") or {})
    return answers, titled


def ruled_intents(root: Path) -> set[str]:
    """Intents a rule in ``data/rules/`` answers with ``action_answer``."""
    ruled = set()
    for path in sorted((root / "data" / "rules").glob("*.yml")):
        for rule in _yaml(path).get("rules") or []:
            steps = rule.get("steps") or []
            for step, following in itertools.pairwise(steps):
                if "intent" in step and following.get("action") == "action_answer":
                    ruled.add(str(step["intent"]))
    return ruled


def native_name(code: str) -> str | None:
    """The language's name in itself (Babel), None when Babel does not know it."""
    try:
        return Locale.parse(code).get_display_name(code) or None
    except (UnknownLocaleError, ValueError):
        return None


# --- the checkers ------------------------------------------------------------------------------


def language_gaps(root: Path, code: str, declared: Declared | None = None) -> list[str]:
    """What is missing for ``code`` to be a complete language, each naming what to change."""
    declared = declared or Declared()
    gaps = _locale_gaps(root, code)
    for kind, folder, what in (
        ("data", root / "data" / "nlu", "training examples"),
        ("tests", root / "tests" / "nlu", "held-out examples (never trained on)"),
    ):
        reference, own = examples(folder / FALLBACK_LANGUAGE), examples(folder / code)
        for intent in sorted(set(reference) - set(own)):
            file = next(iter(reference[intent]))
            gaps.append(f"add {what} of '{intent}' to {kind}/nlu/{code}/{file}")
    phrases = root / "bot" / "desk" / "signals" / f"{code}.yml"
    if not phrases.is_file():
        gaps.append(
            f"add bot/desk/signals/{code}.yml: the phrases that show danger and urgent "
            "situations (see bot/desk/signals.py)"
        )
    else:
        found = _yaml(phrases)
        for kind in KINDS:
            if not found.get(kind):
                gaps.append(f"add '{kind}' phrases to bot/desk/signals/{code}.yml")
    signal_tests = root / "tests" / "unit" / "signals" / f"{code}.yml"
    cases = _yaml(signal_tests) if signal_tests.is_file() else {}
    if not all(cases.get(kind) for kind in ("danger", "urgent", "calm")):
        gaps.append(
            f"add tests/unit/signals/{code}.yml with realistic 'danger', 'urgent' and 'calm' "
            "messages (tests/unit/test_signals.py reads them)"
        )
    anchor = f'<a id="{code}"></a>'
    if anchor not in (root / "docs" / "privacy.md").read_text(encoding="utf-8"):
        gaps.append(
            f"add the privacy notice in '{code}' to docs/privacy.md, starting with {anchor}"
        )
    if code not in declared.template_languages:
        gaps.append(
            f"give '{code}' a WhatsApp template language code in DEFAULT_TEMPLATE_LANGUAGES "
            "(bot/settings.py)"
        )
    return gaps + _name_gaps(root, code, declared)


def _locale_gaps(root: Path, code: str) -> list[str]:
    reference = sorted(p.name for p in (root / "locales" / FALLBACK_LANGUAGE).glob("*.yml"))
    if not (root / "locales" / code).is_dir():
        return [
            f"add the folder locales/{code}/ with {', '.join(reference)} "
            f"(copy locales/{FALLBACK_LANGUAGE}/ and translate; see locales/README.md)"
        ]
    return [
        f"add locales/{code}/{name} (translate locales/{FALLBACK_LANGUAGE}/{name})"
        for name in reference
        if not (root / "locales" / code / name).is_file()
    ]


def _name_gaps(root: Path, code: str, declared: Declared) -> list[str]:
    """How the language is named: by Babel, on the web chat page, by users, by its words."""
    name = native_name(code)
    if name is None:
        return [
            f"'{code}' has no name of its own in Babel (Locale('{code}').get_display_name()): "
            "use its ISO 639-1 code in SUPPORTED_LANGUAGES (bot/i18n/languages.py)"
        ]
    gaps = []
    page = (root / WEBCHAT_PAGE).read_text(encoding="utf-8")
    if name.casefold() not in page.casefold():
        gaps.append(f"name the language '{name}' in the header of {WEBCHAT_PAGE}")
    if not declared.extra_names.get(code):
        gaps.append(
            f"add the words people use to ask for '{code}' (like \"po polsku\") to EXTRA_NAMES "
            "in bot/i18n/languages.py"
        )
    return gaps


def topic_gaps(root: Path, topic: str) -> list[str]:
    """What is missing for ``topic`` to be a complete topic intent, in every language."""
    area = intents.area_of(topic) or "<area>"
    gaps = []
    if topic not in domain_intents(root):
        gaps.append(f"add '{topic}' under intents: in domain.yml")
    if topic not in ruled_intents(root):
        gaps.append(
            f"add a rule 'intent: {topic}' → 'action: action_answer' to data/rules/{area}.yml"
        )
    for code in SUPPORTED_LANGUAGES:
        answers, titled = answers_and_topics(root, code)
        if topic not in answers:
            gaps.append(f"add the answer '{topic}' to locales/{code}/{area}.yml")
        if topic not in titled:
            gaps.append(
                f"add a button title for '{topic}' (at most 20 characters) under ui: topics: "
                f"in locales/{code}/ui.yml"
            )
        if topic not in examples(root / "data" / "nlu" / code):
            gaps.append(f"add training examples of '{topic}' to data/nlu/{code}/{area}.yml")
        if topic not in examples(root / "tests" / "nlu" / code):
            gaps.append(
                f"add held-out examples of '{topic}' to tests/nlu/{code}/{area}.yml "
                "(not the same as the training examples)"
            )
    return gaps


def declaration_gaps(root: Path) -> list[str]:
    """Intents of domain.yml without a kind in bot/intents.py, and declarations without intent."""
    in_domain = domain_intents(root)
    gaps = [
        f"intent '{name}' of domain.yml is declared nowhere: add it to TOPICS (with its area), "
        "CONVERSATION_INTENTS or SYSTEM_INTENTS in bot/intents.py"
        for name in intents.undeclared(in_domain)
    ]
    declared = intents.TOPIC_INTENTS | intents.NOT_TOPICS
    for name in sorted(declared - in_domain - {intents.FALLBACK_INTENT}):
        gaps.append(
            f"'{name}' is declared in bot/intents.py but is not an intent of domain.yml: "
            "add it to domain.yml or remove it from bot/intents.py"
        )
    return gaps


def _report(gaps: list[str]) -> str:
    return "\n" + "\n".join(f"  - {gap}" for gap in gaps)


# --- the project is complete ------------------------------------------------------------------


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_every_language_is_complete(language):
    gaps = language_gaps(ROOT, language)
    assert gaps == [], f"language '{language}' is incomplete:{_report(gaps)}"


@pytest.mark.parametrize("topic", sorted(intents.TOPIC_INTENTS))
def test_every_topic_intent_is_complete(topic):
    gaps = topic_gaps(ROOT, topic)
    assert gaps == [], f"topic intent '{topic}' is incomplete:{_report(gaps)}"


def test_every_intent_has_one_declared_kind():
    gaps = declaration_gaps(ROOT)
    assert gaps == [], _report(gaps)
    kinds = (intents.TOPIC_INTENTS, intents.CONVERSATION_INTENTS, intents.SYSTEM_INTENTS)
    assert sum(map(len, kinds)) == len(set().union(*kinds)), "an intent has two kinds"


def test_the_fallback_intent_is_rasas():
    from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME

    assert intents.FALLBACK_INTENT == DEFAULT_NLU_FALLBACK_INTENT_NAME


def test_every_language_is_one_spacy_and_lingua_know():
    """The tokenizer uses spacy.blank(<code>), detection lingua's IsoCode639_1.<CODE>."""
    import spacy
    from lingua import IsoCode639_1

    for code in SUPPORTED_LANGUAGES:
        assert spacy.util.get_lang_class(code), code
        assert getattr(IsoCode639_1, code.upper(), None) is not None, (
            f"lingua does not detect '{code}'"
        )


# --- each check fails when its piece is missing ----------------------------------------------

PIECES = (
    "domain.yml",
    "locales",
    "data/nlu",
    "data/rules",
    "tests/nlu",
    "tests/unit/signals",
    "bot/desk/signals",
    "docs/privacy.md",
    WEBCHAT_PAGE,
)


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """The pieces the checkers read, copied so that a test may remove one."""
    for piece in PIECES:
        source, target = ROOT / piece, tmp_path / piece
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copy(source, target)
    assert language_gaps(tmp_path, "ro") == [] and topic_gaps(tmp_path, "bsn") == []
    return tmp_path


def edit_yaml(path: Path, change: Callable[[Any], None]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def without_intent(name: str) -> Callable[[Any], None]:
    """Drop an intent's examples from an NLU file."""

    def change(data: Any) -> None:
        data["nlu"] = [e for e in data["nlu"] if e.get("intent") != name]

    return change


def edit_text(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def drop_examples(folder: Path, intent: str) -> None:
    """Remove an intent's examples from every NLU file of ``folder``."""
    for path in sorted(folder.glob("*.yml")):
        edit_yaml(path, without_intent(intent))


LANGUAGE_PIECES: dict[str, tuple[Callable[[Path], Any], str]] = {
    "answer file": (
        lambda root: (root / "locales/ro/work.yml").unlink(),
        "add locales/ro/work.yml (translate locales/en/work.yml)",
    ),
    "answer folder": (
        lambda root: shutil.rmtree(root / "locales/ro"),
        "add the folder locales/ro/ with canned.yml, conversation.yml",
    ),
    "training data": (
        lambda root: drop_examples(root / "data/nlu/ro", "thanks"),
        "add training examples of 'thanks' to data/nlu/ro/",
    ),
    "held-out data": (
        lambda root: shutil.rmtree(root / "tests/nlu/ro"),
        "add held-out examples (never trained on) of 'greet' to tests/nlu/ro/",
    ),
    "danger phrases": (
        lambda root: (root / "bot/desk/signals/ro.yml").unlink(),
        "add bot/desk/signals/ro.yml",
    ),
    "a kind of danger phrases": (
        lambda root: edit_yaml(root / "bot/desk/signals/ro.yml", lambda d: d.pop("sign_today")),
        "add 'sign_today' phrases to bot/desk/signals/ro.yml",
    ),
    "danger phrase tests": (
        lambda root: edit_yaml(root / "tests/unit/signals/ro.yml", lambda d: d.pop("calm")),
        "add tests/unit/signals/ro.yml with realistic 'danger', 'urgent' and 'calm'",
    ),
    "privacy notice": (
        lambda root: edit_text(root / "docs/privacy.md", '<a id="ro"></a>', ""),
        'to docs/privacy.md, starting with <a id="ro"></a>',
    ),
    "name on the web chat page": (
        lambda root: edit_text(root / WEBCHAT_PAGE, "română · ", ""),
        f"name the language 'română' in the header of {WEBCHAT_PAGE}",
    ),
}


@pytest.mark.parametrize("piece", LANGUAGE_PIECES)
def test_a_language_without_a_piece_is_reported_with_the_file_to_add(copy, piece):
    remove, expected = LANGUAGE_PIECES[piece]
    remove(copy)
    gaps = language_gaps(copy, "ro")
    assert any(expected in gap for gap in gaps), gaps
    assert language_gaps(copy, "pl") == []  # only the broken language is reported


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        (
            {"template_languages": {"pl": "pl"}},
            "WhatsApp template language code in DEFAULT_TEMPLATE_LANGUAGES (bot/settings.py)",
        ),
        ({"extra_names": {}}, "to EXTRA_NAMES in bot/i18n/languages.py"),
    ],
)
def test_a_language_the_code_does_not_declare_is_reported(copy, declared, expected):
    gaps = language_gaps(copy, "ro", replace(Declared(), **declared))
    assert any(expected in gap for gap in gaps), gaps


def test_a_code_babel_does_not_know_is_reported(copy):
    gaps = language_gaps(copy, "xq")
    assert any("has no name of its own in Babel" in gap for gap in gaps), gaps
    assert any("add the folder locales/xq/" in gap for gap in gaps), gaps


TOPIC_PIECES: dict[str, tuple[Callable[[Path], Any], str]] = {
    "intent": (
        lambda root: edit_yaml(
            root / "domain.yml", lambda d: d.update(intents=[i for i in d["intents"] if i != "bsn"])
        ),
        "add 'bsn' under intents: in domain.yml",
    ),
    "rule": (
        lambda root: edit_yaml(
            root / "data/rules/registration.yml",
            lambda d: d.update(
                rules=[r for r in d["rules"] if {"intent": "bsn"} not in r.get("steps", [])]
            ),
        ),
        "add a rule 'intent: bsn' → 'action: action_answer' to data/rules/registration.yml",
    ),
    "answer": (
        lambda root: edit_yaml(
            root / "locales/bg/registration.yml", lambda d: d["answers"].pop("bsn")
        ),
        "add the answer 'bsn' to locales/bg/registration.yml",
    ),
    "button title": (
        lambda root: edit_yaml(root / "locales/nl/ui.yml", lambda d: d["ui"]["topics"].pop("bsn")),
        "add a button title for 'bsn' (at most 20 characters) under ui: topics: in "
        "locales/nl/ui.yml",
    ),
    "training examples": (
        lambda root: drop_examples(root / "data/nlu/ro", "bsn"),
        "add training examples of 'bsn' to data/nlu/ro/registration.yml",
    ),
    "held-out examples": (
        lambda root: drop_examples(root / "tests/nlu/pl", "bsn"),
        "add held-out examples of 'bsn' to tests/nlu/pl/registration.yml",
    ),
}


@pytest.mark.parametrize("piece", TOPIC_PIECES)
def test_a_topic_without_a_piece_is_reported_with_the_file_to_change(copy, piece):
    remove, expected = TOPIC_PIECES[piece]
    remove(copy)
    gaps = topic_gaps(copy, "bsn")
    assert any(expected in gap for gap in gaps), gaps
    assert topic_gaps(copy, "digid") == []  # only the broken topic is reported


def test_an_intent_declared_nowhere_is_reported_with_where_to_declare_it(copy):
    edit_yaml(copy / "domain.yml", lambda d: d["intents"].append("pension"))
    [gap] = declaration_gaps(copy)
    assert gap.startswith("intent 'pension' of domain.yml is declared nowhere")
    assert "TOPICS (with its area), CONVERSATION_INTENTS or SYSTEM_INTENTS in bot/intents.py" in gap
    assert intents.kind_of("pension") is None  # meanwhile it is never offered as a topic


def test_a_declared_intent_missing_from_the_domain_is_reported(copy):
    edit_yaml(
        copy / "domain.yml",
        lambda d: d.update(intents=[i for i in d["intents"] if i != "thanks"]),
    )
    assert declaration_gaps(copy) == [
        "'thanks' is declared in bot/intents.py but is not an intent of domain.yml: "
        "add it to domain.yml or remove it from bot/intents.py"
    ]
