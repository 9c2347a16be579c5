"""The NLU floors `make test` checks: the new work-and-income intents are judged apart."""

from __future__ import annotations

from bot.tools.bench_nlu import Example, Prediction, missed_targets, report


def predicted(language: str, intent: str, answer: str, n: int) -> list[Prediction]:
    example = Example(language, f"{intent} question", intent)
    return [Prediction(example, answer, answer, 0.9, language) for _ in range(n)]


def test_a_language_that_fails_the_new_intents_misses_its_target_despite_a_good_total():
    predictions = (
        predicted("pl", "bsn", "bsn", 85)
        + predicted("pl", "out_of_scope", "nlu_fallback", 5)
        + predicted("pl", "dismissal", "dismissal", 7)
        + predicted("pl", "sick_pay", "health_insurance", 3)
    )
    result = report(predictions)

    assert result["per_language"]["pl"]["accuracy"] == 0.97  # the total alone would pass
    assert result["groups"]["new"]["pl"]["accuracy"] == 0.7
    assert result["groups"]["old"]["pl"]["accuracy"] == 1.0
    missed = missed_targets(result)
    assert any("work-and-income" in m and "accuracy" in m for m in missed), missed
    assert any("work-and-income" in m and "wrong_topic" in m for m in missed), missed


def test_languages_that_meet_every_target_miss_nothing():
    predictions = (
        predicted("ro", "bsn", "bsn", 20)
        + predicted("ro", "out_of_scope", "out_of_scope", 5)
        + predicted("ro", "payslip", "payslip", 10)
    )
    assert missed_targets(report(predictions)) == []
