"""The one generic answer action: every reply text comes from ``locales/``.

What it needs from the domain: the slots ``language``, ``last_answer``, ``feedback_for`` and
``handoff_reason`` (text),
``privacy_noticed`` and ``erase_conversation`` (bool), all with custom mappings and not
influencing the conversation, and the entities ``language`` and ``feedback``.

Each turn also counts, off the event loop, what the editors' view shows
(``bot/editors/recording.py``): answers given, 👍/👎, and the masked text of a message the
assistant did not understand.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
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
from bot.editors import recording
from bot.i18n.languages import Detection, LanguageChoice, choose_language
from bot.intents import FALLBACK_INTENT, FEEDBACK_ENTITY, HANDOFF_INTENT, TOPIC_INTENTS
from bot.privacy.erasure import ERASE_SLOT
from bot.turns import Plan, plan_turn
from bot.wiring import content_store, editor_store, settings, signals

logger = logging.getLogger(__name__)

# After a 👎, the answer it rated: the user's next message says what they looked for.
LOOKING_FOR_SLOT = "feedback_for"


def _previous_user_message(tracker: Tracker) -> dict[str, Any]:
    """The parse data of the user message before the latest one, within this session ({})."""
    seen_latest = False
    for event in reversed(tracker.events):
        if event.get("event") == "session_started":
            return {}
        if event.get("event") != "user":
            continue
        if not seen_latest:
            seen_latest = True
            continue
        return event.get("parse_data") or {}
    return {}


def _entity(parse_data: dict[str, Any], name: str) -> str | None:
    for entity in parse_data.get("entities") or []:
        if entity.get("entity") == name and isinstance(entity.get("value"), str):
            return str(entity["value"])
    return None


def previous_answer(tracker: Tracker) -> str | None:
    """The topic the turn before answered, or rated with 👍/👎 (for the editors' figures)."""
    return _answer_of(_previous_user_message(tracker))


def _answer_of(parse_data: dict[str, Any]) -> str | None:
    """The answer a message rated with 👍/👎, else its intent (the answer it got)."""
    return _entity(parse_data, FEEDBACK_ENTITY) or (parse_data.get("intent") or {}).get("name")


def record_in_background(what: str, call: Callable[..., None], *args: Any) -> Awaitable[None]:
    """Write the editors' figures off the event loop; a failure never costs the user a reply."""
    return asyncio.to_thread(recording.safely, what, lambda: call(editor_store(), *args))


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
        previous = _previous_user_message(tracker)
        previous_intent = (previous.get("intent") or {}).get("name")
        plan = plan_turn(
            intent=intent,
            text=text,
            entities=latest.get("entities") or [],
            ranking=latest.get("intent_ranking") or [],
            previous_intent=previous_intent,
            last_answer=tracker.get_slot("last_answer"),
            known_answers=content.answer_ids,
            answers_with_more=content.answers_with_more,
            first_contact=tracker.get_slot("language") is None,
            privacy_noticed=bool(tracker.get_slot("privacy_noticed")),
            start=metadata.get("command") == "start",
            situation=situation,
            feedback=_entity(latest, FEEDBACK_ENTITY),
        )
        choice = language_choice(tracker, explicit=plan.explicit_language)
        reply = render(
            content,
            plan.answer_id,
            choice.code,
            _extra_buttons(content, plan, choice.code),
            detail=plan.detail,
            privacy_url=settings().privacy_url(choice.code) if plan.privacy_notice else None,
            feedback=plan.ask_feedback,
        )
        events = _events(plan, choice, tracker)
        turn = recording.Turn(
            conversation_id=tracker.sender_id,
            language=choice.code,
            intent=intent,
            text=text,
            answer_id=plan.answer_id,
            guess=_guess(latest.get("intent_ranking") or []),
            topic_answered=plan.ask_feedback and reply is not None,
            feedback=plan.feedback,
            previous_answer=_answer_of(previous),
            previous_not_understood=previous_intent == FALLBACK_INTENT,
            looking_for=tracker.get_slot(LOOKING_FOR_SLOT),
        )
        await record_in_background("turn", recording.record, turn)
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


def _guess(ranking: list[dict[str, Any]]) -> str | None:
    """The topic the classifier thought most likely (for the editors)."""
    for entry in ranking:
        if entry.get("name") in TOPIC_INTENTS:
            return str(entry["name"])
    return None


def _events(plan: Plan, choice: LanguageChoice, tracker: Tracker) -> list[EventType]:
    """The slots the turn sets (besides "last answer")."""
    events: list[EventType] = []
    looking_for = plan.feedback[0] if plan.feedback and not plan.feedback[1] else None
    if looking_for != tracker.get_slot(LOOKING_FOR_SLOT):  # after a 👎: the next message
        events.append(SlotSet(LOOKING_FOR_SLOT, looking_for))
    if plan.handoff_reason != tracker.get_slot("handoff_reason"):
        events.append(SlotSet("handoff_reason", plan.handoff_reason))
    if plan.erase:  # the tracker store deletes the conversation instead of saving it
        events.append(SlotSet(ERASE_SLOT, True))
    elif plan.privacy_notice:
        events.append(SlotSet("privacy_noticed", True))
    if choice.remember and choice.code != tracker.get_slot("language"):
        events.append(SlotSet("language", choice.code))
    return events
