"""Handing the conversation to a person at the information point.

``validate_handoff_form`` runs the form's conversation (the rules are in
``bot/desk/handoff.py``): it asks each question itself, in the conversation's language,
and fills or clears the requested slot on every answer. ``action_open_case`` then creates the
case and pauses the conversation (``ConversationPaused``): the bot stays silent, every user
message is still recorded, until the desk closes the case. ``action_session_start`` keeps that
pause when Rasa starts a new session (Rasa would otherwise clear it).

What they need from the domain: the form ``handoff_form`` with the slots of
``bot.desk.handoff.SLOTS`` (custom mappings), the slots ``language`` and
``handoff_reason``, and ``session_config.carry_over_slots_to_new_session``.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import (
    ActionExecuted,
    ConversationPaused,
    EventType,
    SessionStarted,
    SlotSet,
)
from rasa_sdk.executor import CollectingDispatcher

from actions.answer import language_choice, previous_answer, record_in_background, send
from bot import wiring
from bot.content.model import Content
from bot.content.render import Button, render, ui_count, ui_text
from bot.desk import handoff
from bot.desk.store import NewCase
from bot.editors import recording
from bot.i18n import formatting
from bot.intents import HANDOFF_INTENT, NOT_TOPICS
from bot.privacy.logs import pseudonym
from bot.wiring import case_store, content_store, signals

logger = logging.getLogger(__name__)

# Slots a new session starts without: the form's answers and the reason of an offer.
NOT_CARRIED_OVER = {
    *handoff.SLOTS,
    "requested_slot",
    "handoff_reason",
    "feedback_for",
    "session_started_metadata",
}


def conversation_language(tracker: Tracker) -> str:
    """The language to write in (see ``actions.answer.language_choice``)."""
    return language_choice(tracker).code


def say(
    dispatcher: CollectingDispatcher,
    content: Content,
    answer_id: str,
    language: str,
    buttons: list[Button] | None = None,
    values: dict[str, str] | None = None,
) -> None:
    """Send one answer from ``locales/`` in ``language``."""
    reply = render(content, answer_id, language, buttons or [], values=values)
    if reply is not None:
        send(dispatcher, reply)


def _question_buttons(content: Content, slot: str, language: str) -> list[Button]:
    if slot == handoff.CONSENT:
        return [
            Button(ui_text(content, "consent_yes", language), handoff.YES),
            Button(ui_text(content, "consent_no", language), handoff.NO),
        ]
    if slot == handoff.CONTACT:
        return [
            Button(ui_text(content, "contact_chat", language), handoff.BY_CHAT),
            Button(ui_text(content, "contact_phone", language), handoff.BY_PHONE),
        ]
    return []


class ValidateHandoffForm(Action):
    """Fills the handoff form's requested slot from the latest message and asks the next one."""

    def name(self) -> str:
        """The form's validation action."""
        return "validate_handoff_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """One step of the form (the first call, at activation, asks for consent)."""
        content = content_store().get()
        choice = language_choice(tracker)  # a handoff may be the first thing someone asks
        language = choice.code
        latest = tracker.latest_message or {}
        text = latest.get("text") or ""
        requested = tracker.get_slot("requested_slot")
        # "he beats me, I want a person": 112 first (CPU work, so off the event loop)
        if (await asyncio.to_thread(signals().assess, text)).danger:
            say(dispatcher, content, "emergency", language)
        intent = (latest.get("intent") or {}).get("name")
        if requested is None and intent == HANDOFF_INTENT:  # for the editors: after which answer
            answered = previous_answer(tracker)
            await record_in_background("person", recording.person_asked, answered, language)
        step = handoff.next_step(requested, intent, text)
        if step.problem:
            say(dispatcher, content, step.problem, language)
        if step.ask:
            buttons = _question_buttons(content, step.ask, language)
            say(dispatcher, content, step.ask, language, buttons)
        events: list[EventType] = [SlotSet(slot, value) for slot, value in step.slots.items()]
        if choice.remember and language != tracker.get_slot("language"):
            events.append(SlotSet("language", language))
        return [*events, SlotSet("requested_slot", step.ask)]


def _topics_asked(tracker: Tracker) -> list[str]:
    """The topics the user asked about in this conversation, in order, for the staff."""
    topics: list[str] = []
    for event in tracker.events:
        if event.get("event") != "user":
            continue
        name = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if name and name not in NOT_TOPICS and name not in topics:
            topics.append(name)
    return topics


class ActionOpenCase(Action):
    """Creates the desk's case (after consent) and pauses the conversation."""

    def name(self) -> str:
        """The action run when the handoff form is done."""
        return "action_open_case"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Open the case, tell the user when a person answers, and pause the bot."""
        content = content_store().get()
        language = conversation_language(tracker)
        reset: list[EventType] = [SlotSet(slot, None) for slot in handoff.SLOTS]
        reset.append(SlotSet("handoff_reason", None))
        if tracker.get_slot(handoff.CONSENT) is not True:
            say(dispatcher, content, "handoff_refused", language)
            return reset
        store = case_store()
        case = store.open_case(
            NewCase(
                conversation_id=tracker.sender_id,
                channel=tracker.get_latest_input_channel() or "rest",
                language=language,
                reason=tracker.get_slot("handoff_reason") or "request",
                description=tracker.get_slot(handoff.DESCRIPTION) or "",
                contact=tracker.get_slot(handoff.CONTACT) or handoff.BY_CHAT,
                phone=tracker.get_slot(handoff.PHONE),
                topics=_topics_asked(tracker),
            )
        )
        logger.info("Case %s opened for conversation %s", case.id, pseudonym(tracker.sender_id))
        desk = content.desk
        now = wiring.now()
        values = {"place": str(store.place_in_queue(case))}
        if desk.hours.is_open(now):
            values["wait"] = ui_count(content, "minutes", desk.first_response_minutes, language)
            say(dispatcher, content, "case_opened", language, values=values)
        else:
            opens = desk.hours.next_opening(now)
            values["opens"] = formatting.moment(opens, language) if opens else desk.url
            say(dispatcher, content, "case_opened_closed", language, values=values)
        # Paused, Rasa predicts nothing more, not even the usual action_listen: record it here,
        # so that the user's next turn after the case looks like any other to the rules.
        return [*reset, ConversationPaused(), ActionExecuted("action_listen")]


class ActionSessionStart(Action):
    """A new session keeps the slots and, while a person handles the case, the pause."""

    def name(self) -> str:
        """Rasa's session start, replaced."""
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """SessionStarted, the carried-over slots, ConversationPaused if a case is open."""
        events: list[EventType] = [SessionStarted()]
        for name, value in tracker.slots.items():
            if value is not None and name not in NOT_CARRIED_OVER:
                events.append(SlotSet(name, value))
        if case_store().open_case_of(tracker.sender_id) is not None:
            events.append(ConversationPaused())
        events.append(ActionExecuted("action_listen"))
        return events
