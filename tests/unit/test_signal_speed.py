"""Every danger and urgency phrase reads a bounded stretch, whatever the message.

A phrase with ``.*`` between words was once tried from every word of ``"owe " * 50000`` and
held the action server's one worker for over a minute. Here each compiled phrase is timed on
messages of the longest length ``assess`` reads, built to make it work hard: its own words
repeated (each one starts a match that never completes), one letter for 2,000 characters,
alternating spaces, Cyrillic and Latin mixed.
"""

from __future__ import annotations

import re
import time
from itertools import cycle, islice

import pytest

from bot.desk.signals import KINDS, load_signals
from bot.i18n.text import MAX_READ

BOUND = 0.010  # seconds per search; today's slowest phrase takes well under 1 ms
GENERIC = ("owe ", "a", "a ", "я", "я ", "a я ", "aя", " ", "1 ", "owe agency " * 3 + "\n")


def _fill(unit: str) -> str:
    return "".join(islice(cycle(unit), MAX_READ))


def _vocabulary(pattern: str) -> list[str]:
    """The words a pattern is written with ("\\b(owe|debt)\\b" → owe, debt)."""
    return re.findall(r"[^\W\d_]{2,}", re.sub(r"\\.", " ", pattern))


def adversarial(pattern: str) -> list[str]:
    """Messages of MAX_READ characters that start many matches of ``pattern`` and finish none."""
    words = _vocabulary(pattern) or ["x"]
    first, last = words[0], words[-1]
    units = [
        first + " ",
        first,
        last + " ",
        " ".join(words) + " ",
        "".join(words),
        " ".join(words[:3]) + " ",
        f"{first} {first[:-1]} ",
    ]
    return [_fill(unit) for unit in (*GENERIC, *units)]


def slowest_search(pattern: re.Pattern[str]) -> tuple[float, str]:
    """The longest search (best of 3 runs, against a loaded machine) and its message."""
    worst, worst_text = 0.0, ""
    for text in adversarial(pattern.pattern):
        runs = []
        for _ in range(3):
            start = time.perf_counter()
            pattern.search(text)
            runs.append(time.perf_counter() - start)
        if min(runs) > worst:
            worst, worst_text = min(runs), text
    return worst, worst_text


@pytest.fixture(scope="module")
def signals():
    return load_signals()


def test_the_messages_are_as_long_as_what_assess_reads():
    texts = adversarial(r"\b(owe|debt)\b.{0,80}\b(agency|boss)\b")
    assert {len(text) for text in texts} == {MAX_READ}
    assert _fill("owe agency owe ")[:15] == "owe agency owe "


@pytest.mark.parametrize("kind", KINDS)
def test_every_phrase_searches_a_hostile_message_in_milliseconds(signals, kind):
    slow = []
    for pattern in signals.patterns[kind]:
        took, text = slowest_search(pattern)
        if took > BOUND:
            slow.append(f"{took * 1000:.1f} ms: {pattern.pattern!r} on {text[:40]!r}…")
    assert not slow, "\n".join(slow)


def test_the_timing_catches_the_phrase_that_stalled_the_server():
    """The old English debt phrase: quadratic in the message, so slow at 2,000 characters."""
    old = re.compile(r"\b(owe|debt)\b.*\b(agency|employer|boss|uitzendbureau)\b")
    new = re.compile(r"\b(owe|debt)\b.{0,80}\b(agency|employer|boss|uitzendbureau)\b")
    assert slowest_search(old)[0] > 5 * slowest_search(new)[0]


def test_a_very_long_message_is_assessed_quickly_by_its_beginning(signals):
    message = "i want to die, " + "owe " * 50_000  # 200,000 characters
    start = time.perf_counter()
    assessment = signals.assess(message)
    took = time.perf_counter() - start
    assert assessment.danger
    assert took < 1.0, f"{took:.2f} s"  # about 30 ms; it took 65 s before the bound


def test_what_comes_after_the_read_limit_is_not_read(signals):
    filler = _fill("how do i register at the municipality ")
    assert not signals.assess(filler + " i want to die").urgent
    assert signals.assess(filler[:100] + " i want to die").danger
