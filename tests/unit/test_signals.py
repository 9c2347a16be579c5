"""Danger and urgent situations are recognised in every language; ordinary questions are not."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.desk.signals import SignalsError, load_signals
from tests.conftest import LANGUAGES, ROOT

CASES = Path(__file__).with_name("signals")


@pytest.fixture(scope="module")
def signals():
    return load_signals()


def cases(kind: str) -> list[tuple[str, str]]:
    found = []
    for language in LANGUAGES:
        data = yaml.safe_load((CASES / f"{language}.yml").read_text(encoding="utf-8"))
        found += [(language, text) for text in data[kind]]
    return found


@pytest.mark.parametrize(("language", "text"), cases("danger"))
def test_danger_to_life_or_health_is_recognised(signals, language, text):
    assert signals.assess(text).danger


@pytest.mark.parametrize(("language", "text"), cases("urgent"))
def test_a_situation_that_needs_a_person_is_recognised_without_calling_it_danger(
    signals, language, text
):
    assessment = signals.assess(text)
    assert assessment.urgent and not assessment.danger, sorted(assessment.kinds)


@pytest.mark.parametrize(("language", "text"), cases("calm"))
def test_near_misses_are_ordinary_questions(signals, language, text):
    assert not signals.assess(text).urgent, sorted(signals.assess(text).kinds)


def test_ordinary_held_out_questions_rarely_raise_an_alarm(signals):
    """Topic questions that are not about danger (held-out NLU examples): few false alarms."""
    calm_topics = {
        "registration_brp",
        "bsn",
        "digid",
        "address_change",
        "health_insurance",
        "gp_registration",
        "ehic",
        "housing_contract",
        "housing_costs",
        "dutch_course",
        "desk_info",
        "agency_check",
        "tax_return",
        "payslip",
        "contract_terms",
        "leaving_nl",
        "greet",
        "thanks",
        "help",
    }
    texts = []
    for path in sorted((ROOT / "tests" / "nlu").glob("*/*.yml")):
        for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            if block["intent"] in calm_topics:
                texts += [
                    line[2:] for line in block["examples"].splitlines() if line.startswith("- ")
                ]
    alarms = [t for t in texts if signals.assess(t).danger]
    assert len(texts) > 300
    assert len(alarms) / len(texts) <= 0.01, alarms


def test_a_broken_phrase_names_its_file(tmp_path):
    (tmp_path / "pl.yml").write_text("danger:\n  - '(zabic sie'\n", encoding="utf-8")
    with pytest.raises(SignalsError, match=r"pl\.yml: danger: '\(zabic sie'"):
        load_signals(tmp_path)
    (tmp_path / "pl.yml").write_text("danger:\n  - 'Zabić się'\n", encoding="utf-8")
    with pytest.raises(SignalsError, match="folded"):
        load_signals(tmp_path)


@pytest.mark.parametrize(
    ("phrase", "piece"),
    [
        (r"\b(owe|debt)\b.*\bagency\b", ".*"),  # the phrase that stalled the action server
        (r"\bowe\b.+\bagency\b", ".+"),
        (r"\bowe\b.*?\bagency\b", ".*?"),
        (r"\bowe\b.+?\bagency\b", ".+?"),
        (r"\bowe\b[^.]*\bagency\b", "[^.]*"),
        (r"\bowe\b[\s\w]+\bagency\b", r"[\s\w]+"),
        (r"\bowe \S+ agency\b", r"\S+"),
        (r"\bowe\W+agency\b", r"\W+"),
        (r"\bowe( \w+)* agency\b", r"( \w+)*"),
        (r"\bowe(?: (to|the))+ agency\b", "(?: (to|the))+"),
        (r"\bowe(\w+){0,3} agency\b", r"(\w+){0,3}"),
        (r"\bowe( \w+){0,9} agency\b", r"( \w+){0,9}"),
        (r"\bowe\b.{0,500}\bagency\b", ".{0,500}"),
        (r"\bowe\b.{20,}\bagency\b", ".{20,}"),
        (r"\bowe\b(?=.*\bagency\b)", ".*"),
        (r"\bowe\b(?!.*\bpaid\b)", ".*"),
        (r"^(?=.{0,2000}\btoday\b).{0,80}\bowe\b.{0,2000}\bagency", ".{0,2000}"),
        (r"^(?=.{0,2000}\btoday\b)|.{0,2000}\bowe\b", ".{0,2000}"),
    ],
)
def test_a_phrase_that_reads_without_bound_is_refused_with_file_kind_and_phrase(
    tmp_path, phrase, piece
):
    (tmp_path / "en.yml").write_text(yaml.safe_dump({"exploitation": [phrase]}), "utf-8")
    with pytest.raises(SignalsError) as refused:
        load_signals(tmp_path)
    message = str(refused.value)
    assert message.startswith(f"en.yml: exploitation: '{phrase}' repeats "), message
    assert f"'{piece}" in message, message


@pytest.mark.parametrize(
    "phrase",
    [
        r"\b(owe|debt)\b.{0,80}\b(agency|boss)\b",
        r"\bowe (\w+ ){0,2}agency\b|\bagency (\w+\s+){0,3}owe",
        r"\b(ме|ни) (д[ъау@]р[жз]\w* )?закл[юу]ч\w+\b(?!\s+(отв[ъау@]н|навън))",
        r"\breageert niet meer\b[\s,.!?]{0,10}(help|112|$)",
        r"\b\d+ ?(euro|eur)\b|(?<!\bco )\bgrozi\b",
        r"^(?=.{0,2000}\b(today|tonight)\b)(?!.{0,2000}\bsick\b).{0,2000}\bthrown out\b",
    ],
)
def test_bounded_phrases_are_accepted(tmp_path, phrase):
    (tmp_path / "en.yml").write_text(yaml.safe_dump({"danger": [phrase]}), "utf-8")
    assert load_signals(tmp_path).patterns["danger"][0].pattern == phrase


def test_a_whole_message_check_looks_across_the_whole_message(tmp_path):
    phrase = r"^(?=.{0,2000}\btoday\b)(?!.{0,2000}\bsick\b).{0,2000}\bthrown out\b"
    (tmp_path / "en.yml").write_text(yaml.safe_dump({"no_shelter": [phrase]}), "utf-8")
    signals = load_signals(tmp_path)
    middle = " and ".join(["we worked at the farm for the whole season"] * 30)
    assert len(middle) > 1000
    assert signals.assess(f"today {middle}, now we are thrown out").kinds == {"no_shelter"}
    assert signals.assess(f"thrown out {middle} today").kinds == {"no_shelter"}
    assert not signals.assess(f"thrown out {middle} yesterday").kinds
    assert not signals.assess(f"today {middle}, thrown out, {middle[:400]} sick").kinds
