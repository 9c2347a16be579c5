"""Danger and urgent situations are recognised in every language; ordinary questions are not."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.helpdesk.signals import SignalsError, load_signals
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
