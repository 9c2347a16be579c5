"""Which answer a turn gets: plain functions over plain data, tested without Rasa."""

from __future__ import annotations

from collections.abc import Sequence, Set
from dataclasses import dataclass, replace

from bot.i18n.languages import SUPPORTED_LANGUAGES, language_named_in
from bot.intents import (
    FALLBACK_INTENT,
    LANGUAGE_ENTITY,
    LANGUAGE_INTENT,
    NOT_TOPICS,
    SHOW_MORE_INTENT,
    TOPIC_INTENTS,
)

BEST_GUESSES = 2


@dataclass(frozen=True)
class Plan:
    """What to answer.

    Attributes:
        answer_id: the answer to render.
        guesses: topics to offer as "did you mean" buttons.
        offer_human: add a "talk to a person" button.
        languages: add one button per language.
        detail: render the answer's "more" text.
        explicit_language: a language the user asked for in this turn.
        remember_topic: remember the answer for a later "More".
        confirm_forget: add the "yes, delete" / "no, keep it" buttons.
        erase: the user confirmed "delete my data": delete the conversation after the reply.
        privacy_notice: add the short privacy notice (first reply of a conversation, /start).
        handoff_reason: why a person is offered ("danger", "urgent", "fallback"), kept for
            the case if the user takes the offer.
        follow_up: a second answer sent after the first (the offer of a person).
        ask_feedback: add 👍/👎 ("did this help?") under the answer.
        feedback: the answer a 👍/👎 of this turn rated, and whether it was 👍.


    """

    answer_id: str
    guesses: tuple[str, ...] = ()
    offer_human: bool = False
    languages: bool = False
    detail: bool = False
    explicit_language: str | None = None
    remember_topic: bool = True
    confirm_forget: bool = False
    erase: bool = False
    privacy_notice: bool = False
    handoff_reason: str | None = None
    follow_up: str | None = None
    ask_feedback: bool = False
    feedback: tuple[str, bool] | None = None


def requested_language(entities: Sequence[dict[str, object]], text: str) -> str | None:
    """The language a change-language message asks for: a button's entity, or a name in it."""
    for entity in entities:
        if entity.get("entity") == LANGUAGE_ENTITY and entity.get("value") in SUPPORTED_LANGUAGES:
            return str(entity["value"])
    return language_named_in(text) if text else None


def best_guesses(ranking: Sequence[dict[str, object]], known: Set[str]) -> tuple[str, ...]:
    """The most likely topics from the classifier's ranking, for "did you mean" buttons.

    Only declared topics (``bot.intents.TOPICS``) that have an answer are offered.
    """
    guesses = []
    for entry in ranking:
        name = entry.get("name")
        if isinstance(name, str) and name in TOPIC_INTENTS and name in known:
            guesses.append(name)
        if len(guesses) == BEST_GUESSES:
            break
    return tuple(guesses)


def plan_turn(
    intent: str | None,
    text: str,
    entities: Sequence[dict[str, object]],
    ranking: Sequence[dict[str, object]],
    previous_intent: str | None,
    last_answer: str | None,
    known_answers: Set[str],
    answers_with_more: Set[str],
    first_contact: bool = False,
    privacy_noticed: bool = True,
    start: bool = False,
    situation: str | None = None,
    feedback: str | None = None,
) -> Plan:
    """Decide the answer of one turn.

    Args:
        intent: the intent of the latest message (``nlu_fallback`` when unsure).
        text: the latest message's text.
        entities: its entities (a language button sends ``language``).
        ranking: the classifier's intent ranking, best first.
        previous_intent: the intent of the user's message before this one.
        last_answer: the answer shown last (for "More").
        known_answers: answer ids that exist.
        answers_with_more: answer ids that have a "more" text.
        first_contact: the conversation has no language yet (a greeting then offers them).
        privacy_noticed: the privacy notice has been shown in this conversation.
        start: the user opened the conversation explicitly (Telegram's /start): welcome,
            languages and privacy notice again.
        situation: what the message shows (``bot.desk.signals``): "danger" → emergency
            information first, "urgent" → the offer of a person; None for ordinary messages.
        feedback: the answer a 👍/👎 button names (sent as "yes"/"no" with it).

    """
    if situation == "danger":  # first, whatever the conversation was doing; then a person
        return Plan("emergency", remember_topic=False, handoff_reason="danger")
    plan = (
        _feedback_plan(intent, feedback, known_answers)
        or _forget_plan(intent, previous_intent)
        or _control_plan(intent, text, entities, last_answer, answers_with_more)
        or _answer_plan(intent, ranking, previous_intent, known_answers, first_contact or start)
    )
    if situation == "urgent":  # the topic's answer, then the offer of a person
        if plan.remember_topic:
            plan = replace(plan, follow_up="urgent_help", handoff_reason="urgent")
        else:
            plan = Plan("urgent_help", remember_topic=False, handoff_reason="urgent")
    if plan.erase:
        return plan
    return replace(plan, privacy_notice=start or not privacy_noticed)


def heard_while_paused(intent: str | None, previous_intent: str | None) -> bool:
    """True for the messages the bot answers while a person of the desk has the conversation.

    Asking to delete one's data, and the "yes" or "no" right after it: the user's right to
    erasure does not wait for the desk. (Danger to life is answered by the channels.)
    """
    return intent == "forget" or (previous_intent == "forget" and intent in {"affirm", "deny"})


def _feedback_plan(intent: str | None, feedback: str | None, known: Set[str]) -> Plan | None:
    """👍 → thanks; 👎 → sorry, what were you looking for, and the offer of a person."""
    if intent not in {"affirm", "deny"} or feedback not in TOPIC_INTENTS or feedback not in known:
        return None
    helpful = intent == "affirm"
    if helpful:
        return Plan("feedback_thanks", remember_topic=False, feedback=(str(feedback), True))
    return Plan(
        "feedback_sorry", offer_human=True, remember_topic=False, feedback=(str(feedback), False)
    )


def _forget_plan(intent: str | None, previous_intent: str | None) -> Plan | None:
    """Asked to delete one's data → ask to confirm; "yes" right after → delete; "no" → keep."""
    if intent == "forget":
        return Plan("forget", confirm_forget=True, remember_topic=False)
    if previous_intent == "forget" and intent == "affirm":
        return Plan("forget_done", erase=True, remember_topic=False)
    if previous_intent == "forget" and intent == "deny":
        return Plan("forget_kept", remember_topic=False)
    return None


def _control_plan(
    intent: str | None,
    text: str,
    entities: Sequence[dict[str, object]],
    last_answer: str | None,
    answers_with_more: Set[str],
) -> Plan | None:
    """Changing the language, and "More"."""
    if intent == LANGUAGE_INTENT:
        chosen = requested_language(entities, text)
        if chosen is not None:
            return Plan("language_set", explicit_language=chosen, remember_topic=False)
        return Plan(LANGUAGE_INTENT, languages=True, remember_topic=False)
    if intent == SHOW_MORE_INTENT:
        if last_answer in answers_with_more:
            return Plan(str(last_answer), detail=True, remember_topic=False)
        return Plan("fallback", offer_human=True, remember_topic=False)
    return None


def _answer_plan(
    intent: str | None,
    ranking: Sequence[dict[str, object]],
    previous_intent: str | None,
    known_answers: Set[str],
    first_contact: bool,
) -> Plan:
    """A topic or small-talk answer; "not understood" (twice → the desk)."""
    if intent == FALLBACK_INTENT or intent is None or intent not in known_answers:
        if previous_intent == FALLBACK_INTENT:
            return Plan("fallback_desk", remember_topic=False, handoff_reason="fallback")
        return Plan(
            "fallback",
            guesses=best_guesses(ranking, known_answers),
            offer_human=True,
            remember_topic=False,
        )
    if intent == "greet" and first_contact:
        return Plan("greet", languages=True, remember_topic=False)
    topic = intent not in NOT_TOPICS
    return Plan(intent, remember_topic=topic, ask_feedback=topic)
