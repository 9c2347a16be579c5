"""The actions read the danger and urgency phrases in a worker thread, not on the event loop.

The action server has one worker: while one message is being checked, the event loop must
stay free for every other conversation.
"""

from __future__ import annotations

import threading

import pytest

from actions.handoff import ValidateHandoffForm
from bot import wiring
from bot.desk.signals import Assessment, Signals, load_signals
from tests.unit.test_answer_action import make_tracker
from tests.unit.test_answer_action import run as run_answer
from tests.unit.test_handoff_actions import opening, tracker
from tests.unit.test_handoff_actions import run as run_action


class RecordingSignals:
    """The real phrases, remembering the thread each message was checked in."""

    def __init__(self, signals: Signals) -> None:
        self.signals = signals
        self.threads: list[threading.Thread] = []

    def assess(self, text: str) -> Assessment:
        self.threads.append(threading.current_thread())
        return self.signals.assess(text)


@pytest.fixture
def recording(monkeypatch) -> RecordingSignals:
    signals = RecordingSignals(load_signals())
    monkeypatch.setitem(wiring._made, "signals", signals)
    return signals


async def test_the_answer_action_checks_the_message_in_a_worker_thread(recording, content):
    slots = {"language": "pl", "privacy_noticed": True}
    text = "szef mnie bije i grozi ze mnie zabije"
    messages, _ = await run_answer(make_tracker(text, "report_abuse", slots=slots))
    assert recording.threads and threading.current_thread() not in recording.threads
    assert opening(content, "pl", "emergency") in messages[0]["text"]


async def test_the_handoff_form_checks_the_message_in_a_worker_thread(recording, content):
    state = tracker(
        {"language": "pl", "requested_slot": "handoff_description"},
        text="on mnie bije i grozi ze mnie zabije",
        intent="report_abuse",
    )
    messages, _ = await run_action(ValidateHandoffForm(), state)
    assert recording.threads and threading.current_thread() not in recording.threads
    assert opening(content, "pl", "emergency") in messages[0]["text"]
