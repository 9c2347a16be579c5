"""The benchmark's scripted users and its statistics."""

from __future__ import annotations

from bot.bench import LANGUAGES, conversations, percentile


def test_scripted_users_speak_every_language_and_ask_three_to_five_questions():
    scripts = conversations(10)
    assert [language for language, _ in scripts] == list(LANGUAGES) * 2
    for language, messages in scripts:
        assert messages[0] == "/greet" and messages[-1] == "/show_more"
        assert messages[1] == f'/change_language{{"language":"{language}"}}'
        assert 3 <= len(messages) - 3 <= 5
    assert conversations(10) == scripts  # the same questions each run, so runs compare


def test_percentiles_are_nearest_rank_in_milliseconds():
    values = [i / 1000 for i in range(1, 101)]  # 1 … 100 ms
    assert percentile(values, 0.5) == 50
    assert percentile(values, 0.95) == 95
    assert percentile(values, 0.99) == 99
    assert percentile([0.2], 0.99) == 200
