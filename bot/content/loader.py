"""Load and validate ``locales/``, ``locales/amounts.yml`` and ``desk.yml``.

Every rule here is explained to editors in ``locales/README.md``. A problem is reported with the
file, the line and what to do; loading never raises on bad content.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from bot.content import yamlfile
from bot.content.model import Amount, Answer, Catalog, Content, Desk, DeskPoint
from bot.content.yamlfile import LoadedYaml, Problem
from bot.desk.hours import OpeningHours, parse_hours
from bot.i18n import formatting
from bot.i18n.languages import FALLBACK_LANGUAGE, SUPPORTED_LANGUAGES

# Limits of the messengers we serve, and of a phone screen.
MAX_TEXT = 600
MAX_MORE = 1000
MAX_BUTTONS = 3
MAX_BUTTON_TITLE = 20  # WhatsApp reply button titles
MAX_BODY = 1024  # WhatsApp interactive message body
MAX_MESSAGE = 4096  # Telegram and WhatsApp text messages
MAX_PAYLOAD_BYTES = 64  # Telegram callback data
STALE_AFTER = dt.timedelta(days=183)

ANSWER_FIELDS = {"text", "more", "buttons", "sources", "reviewed", "help"}
HELP_KINDS = {"desk"}
DESK_PLACEHOLDERS = {"desk_name", "desk_url", "desk_points"}
# Filled in by the conversation (the handoff), with the longest values they can take, so that
# the length checks hold: the place in the queue, the usual waiting time, when the desk opens.
RUNTIME_PLACEHOLDERS = {
    "place": "123",
    "wait": "1 hour 30 minutes",
    "opens": "Wednesday 30 September 2026, 09:00",
}
# Buttons that start something instead of opening an answer: "Talk to a person" starts the
# handoff form (its title is under ui.topics like a topic's).
ACTION_BUTTONS = {"request_human"}
# Interface texts that are button titles.
BUTTON_KEYS = (
    "more",
    "options",
    "confirm_forget",
    "keep_data",
    "consent_yes",
    "consent_no",
    "contact_chat",
    "contact_phone",
)
UI_REQUIRED = {
    "topics",
    "source",
    "reviewed",
    "help_desk",
    "choose_language",
    "slow_down",
    "privacy_notice",
    "unavailable",
    "long_message",
    *BUTTON_KEYS,
}
# Answers the assistant needs besides one per intent.
SYSTEM_ANSWERS = {
    "fallback",
    "fallback_desk",
    "language_set",
    "forget_done",
    "forget_kept",
    # handing the conversation to a person (bot/desk/handoff.py, actions/handoff.py)
    "handoff_consent",
    "handoff_refused",
    "handoff_description",
    "handoff_contact",
    "handoff_phone",
    "handoff_phone_invalid",
    "case_opened",
    "case_opened_closed",
    "case_closed",
    # danger and urgent situations (bot/desk/signals.py)
    "emergency",
    "urgent_help",
}

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_LINK_IN_TEXT = re.compile(r"https?://|www\.", re.IGNORECASE)


@dataclass
class LoadResult:
    """What loading found: the content (when usable) and every problem."""

    content: Content | None
    problems: list[Problem] = field(default_factory=list)
    missing: dict[str, set[str]] = field(default_factory=dict)  # answer ids per language

    @property
    def errors(self) -> list[Problem]:
        """Problems that make the content unusable."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """Problems worth an editor's look that do not block anything."""
        return [p for p in self.problems if p.severity == "warning"]


def placeholders(text: str) -> set[str]:
    """The ``{names}`` used in ``text``; raises ValueError on unbalanced braces."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def button_payload(answer_id: str) -> str:
    """The payload a follow-up button sends: the intent of the same name."""
    return f"/{answer_id}"


def language_payload(code: str) -> str:
    """The payload of a language button."""
    return f'/change_language{{"language":"{code}"}}'


def is_https_url(value: object) -> bool:
    """True for a well-formed https link to a named host."""
    if not isinstance(value, str) or any(ch.isspace() for ch in value):
        return False
    parsed = urlparse(value)
    return parsed.scheme == "https" and "." in parsed.netloc and not parsed.netloc.endswith(".")


def load_content(
    project_root: Path,
    required_ids: set[str] | None = None,
    today: dt.date | None = None,
) -> LoadResult:
    """Load everything under ``project_root`` (``locales/``, ``desk.yml``) and validate it.

    Args:
        project_root: the repository folder.
        required_ids: answer ids that must exist in every language (the domain's intents);
            the system answers are always required.
        today: the date against which ``reviewed`` is judged (a fixed date in tests).

    """
    today = today or dt.date.today()
    problems: list[Problem] = []
    locales = project_root / "locales"
    amounts = _load_amounts(project_root, locales / "amounts.yml", problems)
    desk = _load_desk(project_root, project_root / "desk.yml", problems)
    desk_values = _desk_values(desk)

    catalogs: dict[str, Catalog] = {}
    broken: dict[str, set[str]] = {}
    unreadable: set[str] = set()  # languages with a file that could not be read at all
    ui_lines: dict[str, LoadedYaml] = {}
    for language in SUPPORTED_LANGUAGES:
        folder = locales / language
        files = sorted(folder.glob("*.yml")) if folder.is_dir() else []
        if not files:
            problems.append(
                Problem(_rel(project_root, folder), 1, f"no answer files for language '{language}'")
            )
        answers: dict[str, Answer] = {}
        ui: dict[str, Any] = {}
        canned: dict[str, str] = {}
        broken[language] = set()
        values = {**_amount_values(amounts, language), **desk_values, **RUNTIME_PLACEHOLDERS}
        for path in files:
            loaded = yamlfile.load(path, _rel(project_root, path))
            problems.extend(loaded.problems)
            if loaded.data is None:
                unreadable.add(language)
                continue
            _read_file(loaded, language, answers, broken[language], ui, values, today, problems)
            _read_canned(loaded, canned, problems)
            if "ui" in (loaded.data if isinstance(loaded.data, dict) else {}):
                ui_lines[language] = loaded
        catalogs[language] = Catalog(language, answers, ui, canned)

    _check_ui(catalogs, ui_lines, project_root, problems)
    _check_canned(catalogs, project_root, problems)
    complete = {code: c for code, c in catalogs.items() if code not in unreadable}
    missing = _check_across_languages(
        complete, broken, required_ids or set(), project_root, problems
    )
    content = Content(catalogs, amounts, desk) if desk is not None else None
    result = LoadResult(content, problems, missing)
    if result.errors:
        result.content = None
    return result


def _read_canned(loaded: LoadedYaml, canned: dict[str, str], problems: list[Problem]) -> None:
    """The staff's ready-made replies of one file (``canned: {id: text}``)."""
    data = loaded.data if isinstance(loaded.data, dict) else {}
    section = data.get("canned")
    if section is None:
        return
    if not isinstance(section, dict):
        problems.append(loaded.problem(("canned",), "'canned' must contain 'id: text' lines"))
        return
    for reply_id, text in section.items():
        where = ("canned", reply_id)
        if not isinstance(reply_id, str) or not _ID.match(reply_id):
            problems.append(loaded.problem(where, f"'{reply_id}' must be like call_tomorrow"))
        elif not isinstance(text, str) or not text.strip():
            problems.append(loaded.problem(where, f"the reply '{reply_id}' is empty"))
        elif len(text) > MAX_BODY:
            problems.append(
                loaded.problem(
                    where, f"'{reply_id}' has {len(text)} characters; at most {MAX_BODY}"
                )
            )
        else:
            canned[reply_id] = text.strip()


def _check_canned(catalogs: dict[str, Catalog], root: Path, problems: list[Problem]) -> None:
    """Every ready-made reply in every language (a warning: staff then cannot send it)."""
    every = set().union(*(set(c.canned) for c in catalogs.values()))
    for language, catalog in catalogs.items():
        for reply_id in sorted(every - set(catalog.canned)):
            problems.append(
                Problem(
                    _rel(root, root / "locales" / language / "canned.yml"),
                    1,
                    f"the ready-made reply '{reply_id}' is missing in '{language}'",
                    "warning",
                )
            )


def _rel(root: Path, path: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _read_file(  # noqa: C901 - one check per section, in reading order
    loaded: LoadedYaml,
    language: str,
    answers: dict[str, Answer],
    broken: set[str],
    ui: dict[str, Any],
    values: dict[str, str],
    today: dt.date,
    problems: list[Problem],
) -> None:
    data = loaded.data
    if not isinstance(data, dict):
        problems.append(loaded.problem((), "the file must start with 'answers:' or 'ui:'"))
        return
    for key in data:
        if key not in {"answers", "ui", "canned"}:
            problems.append(
                loaded.problem(
                    (key,), f"unknown section '{key}'; use 'answers:', 'ui:' or 'canned:'"
                )
            )
    if "ui" in data:
        if isinstance(data["ui"], dict):
            ui.update(data["ui"])
        else:
            problems.append(loaded.problem(("ui",), "'ui' must contain 'name: text' lines"))
    section = data.get("answers", {})
    if not isinstance(section, dict):
        problems.append(
            loaded.problem(
                ("answers",), "'answers' must contain answer ids, each followed by its fields"
            )
        )
        return
    for answer_id, fields in section.items():
        path = ("answers", answer_id)
        if not isinstance(answer_id, str) or not _ID.match(answer_id):
            problems.append(
                loaded.problem(
                    path,
                    f"answer id '{answer_id}' must be lowercase "
                    "letters, digits and _ (like wage_problem)",
                )
            )
            continue
        if answer_id in answers:
            problems.append(
                loaded.problem(
                    path, f"answer '{answer_id}' is also in {answers[answer_id].file}; keep one"
                )
            )
            continue
        answer = _read_answer(loaded, path, language, fields, values, today, problems)
        if answer is not None:
            answers[answer_id] = answer
        else:
            broken.add(answer_id)


def _read_answer(  # noqa: C901 - one check per field, in the order editors read them
    loaded: LoadedYaml,
    path: tuple[str | int, ...],
    language: str,
    fields: Any,
    values: dict[str, str],
    today: dt.date,
    problems: list[Problem],
) -> Answer | None:
    answer_id = str(path[-1])
    if not isinstance(fields, dict):
        problems.append(
            loaded.problem(
                path,
                f"'{answer_id}' needs fields below it (text:, "
                "sources: ...), indented by two spaces",
            )
        )
        return None
    before = len(problems)
    for key in fields:
        if key not in ANSWER_FIELDS:
            problems.append(
                loaded.problem(
                    (*path, key),
                    f"unknown field '{key}'; allowed: " + ", ".join(sorted(ANSWER_FIELDS)),
                )
            )
    text = fields.get("text")
    if not isinstance(text, str) or not text.strip():
        problems.append(loaded.problem(path, f"'{answer_id}' needs a 'text'"))
        text = ""
    text = text.strip()
    more = fields.get("more")
    if more is not None and (not isinstance(more, str) or not more.strip()):
        problems.append(loaded.problem((*path, "more"), "'more' must be text"))
        more = None
    more = more.strip() if isinstance(more, str) else None

    for name, value, limit in (("text", text, MAX_TEXT), ("more", more, MAX_MORE)):
        if value is None:
            continue
        if _LINK_IN_TEXT.search(value):
            problems.append(
                loaded.problem((*path, name), "put links under 'sources', not in the text")
            )
        try:
            unknown = placeholders(value) - set(values)
        except ValueError:
            problems.append(
                loaded.problem(
                    (*path, name),
                    "a '{' or '}' is not closed; placeholders look like {minimum_wage_2026}",
                )
            )
            continue
        for placeholder in sorted(unknown):
            problems.append(
                loaded.problem(
                    (*path, name),
                    f"unknown placeholder {{{placeholder}}}; known: " + ", ".join(sorted(values)),
                )
            )
        if unknown:
            continue
        shown = len(value.format_map(values))
        if shown > limit:
            problems.append(
                loaded.problem(
                    (*path, name),
                    f"'{name}' shows {shown} "
                    f"characters; the limit is {limit}. Shorten it"
                    + (" or move detail to 'more'" if name == "text" else ""),
                )
            )

    buttons = fields.get("buttons", [])
    if not isinstance(buttons, list) or not all(isinstance(b, str) for b in buttons):
        problems.append(
            loaded.problem(
                (*path, "buttons"), "'buttons' must be a list of answer ids, like [bsn, digid]"
            )
        )
        buttons = []
    if len(buttons) > MAX_BUTTONS:
        problems.append(loaded.problem((*path, "buttons"), f"at most {MAX_BUTTONS} buttons"))

    sources = fields.get("sources", [])
    if not isinstance(sources, list):
        problems.append(loaded.problem((*path, "sources"), "'sources' must be a list of links"))
        sources = []
    for index, link in enumerate(sources):
        if not is_https_url(link):
            problems.append(
                loaded.problem(
                    (*path, "sources", index), f"'{link}' is not a complete https:// link"
                )
            )

    if sources and not buttons:
        problems.append(
            loaded.problem(
                path, f"'{answer_id}' needs 1 to {MAX_BUTTONS} related topics under 'buttons'"
            )
        )

    reviewed = fields.get("reviewed")
    if reviewed is not None and not isinstance(reviewed, dt.date):
        problems.append(
            loaded.problem((*path, "reviewed"), "'reviewed' must be a date like 2026-11-29")
        )
        reviewed = None
    if sources and reviewed is None and "reviewed" not in fields:
        problems.append(
            loaded.problem(
                path,
                "an answer with sources needs 'reviewed: "
                "YYYY-MM-DD' (when the facts were last checked)",
            )
        )
    if isinstance(reviewed, dt.date):
        if reviewed > today:
            problems.append(
                loaded.problem((*path, "reviewed"), f"'reviewed' {reviewed} is in the future")
            )
        elif today - reviewed > STALE_AFTER:
            problems.append(
                loaded.problem(
                    (*path, "reviewed"),
                    f"reviewed on {reviewed}, more "
                    "than 6 months ago: check the facts and update the "
                    "date",
                    severity="warning",
                )
            )

    help_kind = fields.get("help")
    if help_kind is not None and help_kind not in HELP_KINDS:
        problems.append(
            loaded.problem((*path, "help"), "'help' can only be: " + ", ".join(sorted(HELP_KINDS)))
        )
        help_kind = None

    if any(p.severity == "error" for p in problems[before:]):
        return None
    return Answer(
        id=answer_id,
        language=language,
        text=text,
        more=more,
        buttons=tuple(buttons),
        sources=tuple(sources),
        reviewed=reviewed,
        help=help_kind,
        file=loaded.file,
        line=loaded.line(path),
    )


def _check_ui(
    catalogs: dict[str, Catalog],
    ui_files: dict[str, LoadedYaml],
    root: Path,
    problems: list[Problem],
) -> None:
    for language, catalog in catalogs.items():
        loaded = ui_files.get(language)
        where = loaded.file if loaded else _rel(root, root / "locales" / language / "ui.yml")

        def line_of(*path: str, loaded: LoadedYaml | None = loaded) -> int:
            return loaded.line(("ui", *path)) if loaded else 1

        for key in sorted(UI_REQUIRED - set(catalog.ui)):
            problems.append(Problem(where, line_of(), f"the 'ui' section needs '{key}'"))
        for line, message in _ui_value_problems(catalog, line_of):
            problems.append(Problem(where, line, message))


def _ui_value_problems(catalog: Catalog, line_of: Callable[..., int]) -> list[tuple[int, str]]:
    """Button titles that do not fit, empty or malformed texts, incomplete plural forms."""
    found: list[tuple[int, str]] = []
    topics = catalog.ui.get("topics", {})
    if not isinstance(topics, dict):
        found.append((line_of(), "'topics' must contain 'answer_id: title' lines"))
        topics = {}
    titles = {
        f"the title of '{topic}'": (title, line_of("topics", topic))
        for topic, title in topics.items()
    }
    for key in BUTTON_KEYS:
        if key in catalog.ui:
            titles[f"'{key}' (a button title)"] = (catalog.ui[key], line_of(key))
    for what, (title, line) in titles.items():
        if not isinstance(title, str) or not title.strip():
            found.append((line, f"{what} is empty"))
        elif len(title) > MAX_BUTTON_TITLE:
            found.append(
                (line, f"{what} has {len(title)} characters; buttons allow {MAX_BUTTON_TITLE}")
            )
    for key, value in catalog.ui.items():
        if key == "topics":
            continue
        if isinstance(value, dict):  # plural forms of a counted string
            messages = plural_problems(key, value, catalog.language)
        else:
            messages = [] if isinstance(value, str) else [f"'{key}' must be text"]
        found.extend((line_of(key), message) for message in messages)
    return found + _notice_problems(catalog, line_of)


def _notice_problems(catalog: Catalog, line_of: Callable[..., int]) -> list[tuple[int, str]]:
    notice = catalog.ui.get("privacy_notice")
    if isinstance(notice, str) and notice.count("{privacy_url}") != 1:
        message = "'privacy_notice' must contain {privacy_url} once (where the link goes)"
        return [(line_of("privacy_notice"), message)]
    return []


def plural_categories(language: str) -> set[str]:
    """The plural forms a language needs (CLDR): Polish one/few/many/other, Dutch one/other."""
    from babel import Locale

    return set(Locale.parse(language).plural_form.tags) | {"other"}


def plural_problems(key: str, forms: dict[str, Any], language: str) -> list[str]:
    """What is wrong with the plural forms of an interface string, in words."""
    needed = plural_categories(language)
    messages = []
    missing = sorted(needed - set(forms))
    if missing:
        messages.append(
            f"'{key}' needs the plural forms {', '.join(sorted(needed))} in "
            f"'{language}'; missing: {', '.join(missing)}"
        )
    unknown = sorted(set(forms) - needed)
    if unknown:
        messages.append(
            f"'{key}' has plural forms '{language}' does not use: " + ", ".join(unknown)
        )
    for form, text in forms.items():
        if not isinstance(text, str) or "{n}" not in text:
            messages.append(f"'{key}' form '{form}' must be text containing {{n}}")
    return messages


def _check_across_languages(
    catalogs: dict[str, Catalog],
    broken: dict[str, set[str]],
    required_ids: set[str],
    root: Path,
    problems: list[Problem],
) -> dict[str, set[str]]:
    """Check what must agree between languages; return the missing answer ids per language."""
    reference = catalogs.get(FALLBACK_LANGUAGE)
    all_ids = set().union(*(set(c.answers) for c in catalogs.values()), *broken.values())
    expected = required_ids | SYSTEM_ANSWERS | all_ids
    missing_ids: dict[str, set[str]] = {}
    for language, catalog in catalogs.items():
        folder = _rel(root, root / "locales" / language)
        missing_ids[language] = expected - set(catalog.answers) - broken.get(language, set())
        for missing in sorted(missing_ids[language]):
            problems.append(
                Problem(
                    folder,
                    1,
                    f"answer '{missing}' is missing in '{language}' (users get English instead)",
                )
            )
        topics = catalog.ui.get("topics", {}) if isinstance(catalog.ui.get("topics"), dict) else {}
        for answer in catalog.answers.values():
            for button in answer.buttons:
                if button not in all_ids and button not in ACTION_BUTTONS:
                    problems.append(
                        Problem(answer.file, answer.line, f"button '{button}' is not an answer id")
                    )
                elif button not in topics:
                    problems.append(
                        Problem(
                            answer.file,
                            answer.line,
                            f"button '{button}' needs a title under ui: topics: in {folder}",
                        )
                    )
                if len(button_payload(button).encode()) > MAX_PAYLOAD_BYTES:
                    problems.append(
                        Problem(
                            answer.file,
                            answer.line,
                            f"button '{button}' makes a payload over 64 bytes; use a shorter id",
                        )
                    )
            if reference is not None and language != FALLBACK_LANGUAGE:
                original = reference.answers.get(answer.id)
                if original is not None:
                    _compare(original, answer, problems)
    return missing_ids


def _compare(original: Answer, translation: Answer, problems: list[Problem]) -> None:
    for name in ("text", "more"):
        a, b = getattr(original, name), getattr(translation, name)
        try:
            ours, theirs = placeholders(a or ""), placeholders(b or "")
        except ValueError:
            continue
        if ours != theirs:
            problems.append(
                Problem(
                    translation.file,
                    translation.line,
                    f"'{translation.id}' {name} uses placeholders {sorted(theirs)} but English "
                    f"uses {sorted(ours)}; every language must use the same ones",
                )
            )
    if (original.help is None) != (translation.help is None):
        problems.append(
            Problem(
                translation.file,
                translation.line,
                f"'{translation.id}' must have the same 'help' as in English",
            )
        )
    if bool(original.sources) != bool(translation.sources):
        problems.append(
            Problem(
                translation.file,
                translation.line,
                f"'{translation.id}' has sources in one language but not in another",
            )
        )


def placeholder_values(content: Content, language: str) -> dict[str, str]:
    """What every placeholder shows in ``language``."""
    return {**_amount_values(content.amounts, language), **_desk_values(content.desk)}


def _amount_values(amounts: dict[str, Amount], language: str) -> dict[str, str]:
    return {name: formatting.money(a.value, a.currency, language) for name, a in amounts.items()}


def _desk_values(desk: Desk | None) -> dict[str, str]:
    if desk is None:
        return dict.fromkeys(DESK_PLACEHOLDERS, "")
    return {
        "desk_name": desk.name,
        "desk_url": desk.url,
        "desk_points": "\n".join(
            f"• {p.region}: {p.place}" + (f" ({p.email})" if p.email else "") for p in desk.points
        ),
    }


def _load_amounts(root: Path, path: Path, problems: list[Problem]) -> dict[str, Amount]:
    if not path.exists():
        return {}
    loaded = yamlfile.load(path, _rel(root, path))
    problems.extend(loaded.problems)
    data = loaded.data if isinstance(loaded.data, dict) else {}
    section = data.get("amounts", {})
    amounts: dict[str, Amount] = {}
    if not isinstance(section, dict):
        problems.append(loaded.problem(("amounts",), "'amounts' must list name: {value, currency}"))
        return amounts
    for name, spec in section.items():
        where = ("amounts", name)
        if not isinstance(spec, dict) or set(spec) - {"value", "currency", "source"}:
            problems.append(
                loaded.problem(where, f"'{name}' needs 'value', 'currency' and 'source'")
            )
            continue
        try:
            value = Decimal(str(spec.get("value")))
        except InvalidOperation:
            problems.append(
                loaded.problem((*where, "value"), f"'{name}' value must be a number like 14.71")
            )
            continue
        currency = spec.get("currency")
        if not isinstance(currency, str) or not re.fullmatch(r"[A-Z]{3}", currency):
            problems.append(
                loaded.problem((*where, "currency"), "currency must be a code like EUR")
            )
            continue
        if not is_https_url(spec.get("source")):
            problems.append(loaded.problem(where, f"'{name}' needs a 'source' https link"))
            continue
        if not re.search(r"_(19|20)\d\d$", str(name)):
            problems.append(
                loaded.problem(
                    where,
                    f"'{name}' must end with its year, like "
                    "minimum_wage_2026 (amounts change every year)",
                )
            )
            continue
        amounts[str(name)] = Amount(value, currency)
    return amounts


def _load_desk(root: Path, path: Path, problems: list[Problem]) -> Desk | None:
    loaded = yamlfile.load(path, _rel(root, path))
    problems.extend(loaded.problems)
    data = loaded.data
    if not isinstance(data, dict):
        if not loaded.problems:
            problems.append(loaded.problem((), "desk.yml must contain name:, url: and points:"))
        return None
    name, url = data.get("name"), data.get("url")
    ok = True
    if not isinstance(name, str) or not name.strip():
        problems.append(loaded.problem(("name",), "the desk needs a 'name'"))
        ok = False
    if not is_https_url(url):
        problems.append(loaded.problem(("url",), "the desk needs a complete https:// 'url'"))
        ok = False
    points = []
    for index, point in enumerate(data.get("points") or []):
        if not isinstance(point, dict) or not point.get("region") or not point.get("place"):
            problems.append(
                loaded.problem(("points", index), "each point needs 'region' and 'place'")
            )
            ok = False
            continue
        points.append(
            DeskPoint(
                str(point["region"]),
                str(point["place"]),
                str(point["email"]) if point.get("email") else None,
            )
        )
    handoff = _desk_handoff(loaded, data, problems)
    if not ok or handoff is None:
        return None
    languages, hours, wait = handoff
    return Desk(str(name), str(url), tuple(points), languages, hours, wait)


def _desk_handoff(
    loaded: LoadedYaml, data: dict[str, Any], problems: list[Problem]
) -> tuple[tuple[str, ...], OpeningHours, int] | None:
    """The desk's languages, opening hours and usual waiting time; None when unusable."""
    hours, hour_problems = parse_hours(data.get("hours", {}), data.get("closed", []))
    for where, message in hour_problems:
        problems.append(loaded.problem(where, message))
    languages = data.get("languages") or []
    if not isinstance(languages, list) or not set(map(str, languages)) <= set(SUPPORTED_LANGUAGES):
        codes = ", ".join(SUPPORTED_LANGUAGES)
        problems.append(loaded.problem(("languages",), f"'languages' lists codes of: {codes}"))
        languages = []
    wait = data.get("first_response_minutes", 60)
    if not isinstance(wait, int) or isinstance(wait, bool) or wait <= 0:
        message = "'first_response_minutes' must be a whole number of minutes above 0"
        problems.append(loaded.problem(("first_response_minutes",), message))
        return None
    if hour_problems:
        return None
    return tuple(map(str, languages)), hours, wait
