"""The one generic answer action: every reply text comes from ``locales/``.

What it needs from the domain: the slots ``language``, ``last_answer`` and
``handoff_reason`` (text),
``privacy_noticed`` and ``erase_conversation`` (bool), all with custom mappings and not
influencing the conversation, and the entity ``language``.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.content.model import Content
from bot.content.render import (
    Button,
    Reply,
    forget_buttons,
    language_buttons,
    render,
    topic_buttons,
    ui_text,
)
from bot.i18n.languages import Detection, LanguageChoice, choose_language
from bot.intents import HANDOFF_INTENT
from bot.privacy.erasure import ERASE_SLOT
from bot.turns import Plan, plan_turn
from bot.wiring import content_store, settings, signals

logger = logging.getLogger(__name__)


def _previous_user_intent(tracker: Tracker) -> str | None:
    """The intent of the user message before the latest one, within this session."""
    seen_latest = False
    for event in reversed(tracker.events):
        if event.get("event") == "session_started":
            return None
        if event.get("event") != "user":
            continue
        if not seen_latest:
            seen_latest = True
            continue
        intent = (event.get("parse_data") or {}).get("intent") or {}
        return intent.get("name")
    return None


def _situation(text: str) -> str | None:
    """Danger, an urgent situation or nothing in what the user typed (not in button payloads)."""
    if not text or text.startswith("/"):
        return None
    assessment = signals().assess(text)
    if assessment.danger:
        return "danger"
    return "urgent" if assessment.urgent else None


def language_choice(tracker: Tracker, explicit: str | None = None) -> LanguageChoice:
    """The language to answer in (``bot.i18n.languages.choose_language``).

    An explicit choice, the conversation's, what the latest message shows, the channel's hint,
    else English.
    """
    latest = tracker.latest_message or {}
    metadata = latest.get("metadata")
    return choose_language(
        current=tracker.get_slot("language"),
        detection=Detection.from_dict(latest.get("language")),
        hint=metadata.get("language_hint") if isinstance(metadata, dict) else None,
        explicit=explicit,
    )


def send(dispatcher: CollectingDispatcher, reply: Reply) -> None:
    """One rendered reply, with its buttons, to the user."""
    dispatcher.utter_message(
        text=reply.text,
        buttons=[{"title": b.title, "payload": b.payload} for b in reply.buttons],
        language=reply.language,  # for channels that label their own controls (WhatsApp)
    )


class ActionAnswer(Action):
    """Answers the latest message in the conversation's language."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_answer"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[EventType]:
        """Pick the answer for the latest message, render it, and remember the language."""
        content = content_store().get()
        latest = tracker.latest_message or {}
        intent = (latest.get("intent") or {}).get("name")
        text = latest.get("text") or ""
        metadata = latest.get("metadata")
        metadata = metadata if isinstance(metadata, dict) else {}
        # reading the phrases is CPU work: off the event loop, which serves every conversation
        situation = await asyncio.to_thread(_situation, text)
        plan = plan_turn(
            intent=intent,
            text=text,
            entities=latest.get("entities") or [],
            ranking=latest.get("intent_ranking") or [],
            previous_intent=_previous_user_intent(tracker),
            last_answer=tracker.get_slot("last_answer"),
            known_answers=content.answer_ids,
            answers_with_more=content.answers_with_more,
            first_contact=tracker.get_slot("language") is None,
            privacy_noticed=bool(tracker.get_slot("privacy_noticed")),
            start=metadata.get("command") == "start",
            situation=situation,
        )
        choice = language_choice(tracker, explicit=plan.explicit_language)
        reply = render(
            content,
            plan.answer_id,
            choice.code,
            _extra_buttons(content, plan, choice.code),
            detail=plan.detail,
            privacy_url=settings().privacy_url(choice.code) if plan.privacy_notice else None,
        )
        events = _events(plan, choice, tracker)
        if reply is None:
            return events
        logger.info(
            "answer=%s language=%s reason=%s", reply.answer_id, reply.language, choice.reason
        )
        if metadata.get("trimmed"):  # a very long message: only its beginning was read
            dispatcher.utter_message(text=ui_text(content, "long_message", choice.code))
        follow_up = render(content, plan.follow_up, choice.code) if plan.follow_up else None
        for sent in filter(None, (reply, follow_up)):
            send(dispatcher, sent)
        if plan.remember_topic:
            events.append(SlotSet("last_answer", plan.answer_id))
        return events


def _extra_buttons(content: Content, plan: Plan, language: str) -> list[Button]:
    """The buttons the turn adds before the answer's own."""
    extra: list[Button] = []
    if plan.languages:
        extra += language_buttons()
    if plan.confirm_forget:
        extra += forget_buttons(content, language)
    extra += topic_buttons(content, plan.guesses, language)
    if plan.offer_human:
        extra += topic_buttons(content, [HANDOFF_INTENT], language)
    return extra


def _events(plan: Plan, choice: LanguageChoice, tracker: Tracker) -> list[EventType]:
    """The slots the turn sets (besides "last answer")."""
    events: list[EventType] = []
    if plan.handoff_reason != tracker.get_slot("handoff_reason"):
        events.append(SlotSet("handoff_reason", plan.handoff_reason))
    if plan.erase:  # the tracker store deletes the conversation instead of saving it
        events.append(SlotSet(ERASE_SLOT, True))
    elif plan.privacy_notice:
        events.append(SlotSet("privacy_noticed", True))
    if choice.remember and choice.code != tracker.get_slot("language"):
        events.append(SlotSet("language", choice.code))
    return events
