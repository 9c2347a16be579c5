"""The handoff actions with the real texts: the form's questions, opening a case (desk open or
closed, in the user's language), refusing, and keeping the pause over a new session."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecuted, ConversationPaused, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ActionOpenCase, ActionSessionStart, ValidateHandoffForm
from bot import storage, wiring
from bot.desk.store import CaseStore, NewCase
from bot.i18n import formatting

MONDAY_10 = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.timezone.utc)  # 10:00 in Amsterdam
SATURDAY = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.timezone.utc)
NEXT_OPENING = dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.timezone.utc)  # Monday 09:00


@pytest.fixture
def cases(database_url, monkeypatch) -> CaseStore:
    store = CaseStore(storage.engine(database_url))
    monkeypatch.setitem(wiring._made, "cases", store)
    return store


def tracker(
    slots: dict[str, Any], text: str = "…", intent: str = "affirm", sender: str = "web-abc12345"
) -> Tracker:
    latest = {"text": text, "intent": {"name": intent}, "entities": [], "metadata": {}}
    events = [
        {
            "event": "user",
            "text": "ile wynosi minimalna stawka",
            "parse_data": {"intent": {"name": "minimum_wage"}},
        },
        {
            "event": "user",
            "text": "szef nie placi",
            "parse_data": {"intent": {"name": "wage_problem"}},
        },
        {"event": "user", "text": text, "parse_data": latest},
    ]
    return Tracker(sender, slots, latest, events, False, None, None, "action_listen")


async def run(action: Any, state: Tracker) -> tuple[list[dict[str, Any]], list[Any]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, state, {})
    return dispatcher.messages, events


def opening(content: Any, language: str, answer: str) -> str:
    return content.catalogs[language].answers[answer].text.split("{")[0].splitlines()[0]


@pytest.mark.parametrize("language", ["pl", "ro", "bg", "nl", "en"])
async def test_the_form_asks_for_consent_with_yes_and_no_in_the_users_language(content, language):
    messages, events = await run(ValidateHandoffForm(), tracker({"language": language}))
    assert opening(content, language, "handoff_consent") in messages[0]["text"]
    ui = content.catalogs[language].ui
    assert [b["title"] for b in messages[0]["buttons"]] == [ui["consent_yes"], ui["consent_no"]]
    assert SlotSet("requested_slot", "handoff_consent") in events


@pytest.mark.parametrize(
    ("requested", "text", "then"),
    [
        ("handoff_description", "on mnie bije i grozi ze mnie zabije", "handoff_contact"),
        (None, "on mnie bije, chce rozmawiac z czlowiekiem", "handoff_consent"),  # the request
    ],
)
async def test_danger_written_in_the_form_gets_the_emergency_information_first(
    content, requested, text, then
):
    state = tracker(
        {"language": "pl", "requested_slot": requested}, text=text, intent="report_abuse"
    )
    messages, _ = await run(ValidateHandoffForm(), state)
    assert opening(content, "pl", "emergency") in messages[0]["text"]
    assert opening(content, "pl", then) in messages[1]["text"]


def slots(language: str, consent: bool | None = True) -> dict[str, Any]:
    return {
        "language": language,
        "handoff_consent": consent,
        "handoff_description": "Szef nie płaci od trzech tygodni",
        "handoff_contact": "chat",
        "handoff_reason": "urgent",
    }


@pytest.mark.parametrize("language", ["pl", "ro", "bg"])
async def test_while_the_desk_is_open_the_user_hears_the_usual_wait_and_place(
    content, cases, monkeypatch, language
):
    monkeypatch.setattr(wiring, "now", lambda: MONDAY_10)
    messages, events = await run(ActionOpenCase(), tracker(slots(language)))
    [case] = cases.queue()
    assert (case.language, case.reason, case.status) == (language, "urgent", "waiting")
    assert case.topics == ("minimum_wage", "wage_problem")
    assert case.description == "Szef nie płaci od trzech tygodni"
    assert opening(content, language, "case_opened") in messages[0]["text"]
    assert "1" in messages[0]["text"]  # first in the queue
    assert events[-2:] == [ConversationPaused(), ActionExecuted("action_listen")]
    assert SlotSet("handoff_description", None) in events  # not kept in the conversation


@pytest.mark.parametrize("language", ["pl", "ro", "bg", "nl"])
async def test_when_the_desk_is_closed_the_user_hears_when_it_opens_in_their_language(
    content, cases, monkeypatch, language
):
    monkeypatch.setattr(wiring, "now", lambda: SATURDAY)
    messages, events = await run(ActionOpenCase(), tracker(slots(language)))
    assert opening(content, language, "case_opened_closed") in messages[0]["text"]
    assert formatting.moment(NEXT_OPENING, language) in messages[0]["text"]
    assert ConversationPaused() in events


async def test_refused_consent_gives_the_public_contacts_and_stores_nothing(content, cases):
    messages, events = await run(ActionOpenCase(), tracker(slots("ro", consent=False)))
    assert cases.queue() == []
    assert opening(content, "ro", "handoff_refused") in messages[0]["text"]
    assert content.desk.url in messages[0]["text"]
    assert not any(isinstance(e, dict) and e.get("event") == "pause" for e in events)


async def test_a_new_session_keeps_the_pause_while_the_case_is_open(cases):
    cases.open_case(NewCase("web-paused-user", "webchat", "pl", "request", "…"))
    state = tracker({"language": "pl", "handoff_phone": "+48600100200"}, sender="web-paused-user")
    _, events = await run(ActionSessionStart(), state)
    assert events[0] == SessionStarted()
    assert SlotSet("language", "pl") in events
    assert SlotSet("handoff_phone", "+48600100200") not in events
    assert ConversationPaused() in events

    _, events = await run(ActionSessionStart(), tracker({"language": "pl"}, sender="web-free-user"))
    assert ConversationPaused() not in events


async def test_a_handoff_as_the_first_request_remembers_the_detected_language(content):
    state = tracker({}, text="chce porozmawiac z czlowiekiem", intent="request_human")
    state.latest_message["language"] = {
        "code": "pl",
        "confidence": 0.9,
        "reliable": True,
        "strong": True,
    }
    messages, events = await run(ValidateHandoffForm(), state)
    assert opening(content, "pl", "handoff_consent") in messages[0]["text"]
    assert SlotSet("language", "pl") in events
