"""What one turn of a conversation tells the editors, written to ``EditorStore``.

Plain functions over plain data (the answer action gathers it from the tracker). Button
presses are never kept as texts; typed messages only after masking (``masking.py``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from bot.editors import store as daily
from bot.editors.masking import mask
from bot.editors.store import EditorStore
from bot.intents import SHOW_MORE_INTENT, TOPIC_INTENTS

logger = logging.getLogger(__name__)

OUT_OF_SCOPE_INTENT = "out_of_scope"
NOT_UNDERSTOOD_ANSWERS = frozenset({"fallback", "fallback_desk"})


@dataclass(frozen=True)
class Turn:
    """One turn, as far as the editors' figures go.

    Attributes:
        conversation_id: whose turn (kept with a text only so that it is deleted with the
            conversation).
        language: the language of the reply.
        intent: the intent of the user's message.
        text: what the user sent (a button sends ``/intent…``).
        guess: the topic the model thought most likely.
        answer_id: the answer the turn gave.
        topic_answered: the answer is a topic's answer (it carries 👍/👎).
        feedback: the answer a 👍/👎 was about, and whether it was 👍.
        previous_answer: the topic answered in the turn before (or rated with 👍/👎 there).
        previous_not_understood: the turn before was not understood ("did you mean" shown).
        looking_for: the answer that got a 👎 in the turn before: this message says what the
            user looked for instead.

    """

    conversation_id: str
    language: str
    intent: str | None
    text: str
    answer_id: str
    guess: str | None = None
    topic_answered: bool = False
    feedback: tuple[str, bool] | None = None
    previous_answer: str | None = None
    previous_not_understood: bool = False
    looking_for: str | None = None

    @property
    def typed(self) -> bool:
        """The user typed the message (not a button)."""
        return bool(self.text.strip()) and not self.text.startswith("/")

    @property
    def not_understood(self) -> str | None:
        """The kind of a not-understood message, or None."""
        if not self.typed:
            return None
        if self.intent == OUT_OF_SCOPE_INTENT:
            return "out_of_scope"
        if self.answer_id in NOT_UNDERSTOOD_ANSWERS and self.intent != SHOW_MORE_INTENT:
            return "not_understood"
        return None


def record(store: EditorStore, turn: Turn) -> None:
    """Count what the turn shows and keep a not-understood message's masked text."""
    language = turn.language
    if turn.topic_answered:
        store.count(daily.GIVEN, turn.answer_id, language)
    if turn.feedback is not None:
        answer_id, helpful = turn.feedback
        store.count(daily.HELPFUL if helpful else daily.NOT_HELPFUL, answer_id, language)
    kind = turn.not_understood
    if kind is not None and turn.previous_answer in TOPIC_INTENTS:
        store.count(daily.THEN_NOT_UNDERSTOOD, str(turn.previous_answer), language)
    if turn.looking_for and turn.typed:
        store.not_understood(
            turn.conversation_id,
            language,
            mask(turn.text),
            "not_helpful",
            guess=turn.guess,
            answer_id=turn.looking_for,
        )
    elif kind is not None:
        store.not_understood(turn.conversation_id, language, mask(turn.text), kind, turn.guess)
    if turn.previous_not_understood and not turn.typed and turn.intent in TOPIC_INTENTS:
        store.picked(turn.conversation_id)  # a "did you mean" button: understood after all


def person_asked(store: EditorStore, previous_answer: str | None, language: str) -> None:
    """The user asked for a person right after a topic's answer."""
    if previous_answer in TOPIC_INTENTS:
        store.count(daily.THEN_PERSON, str(previous_answer), language)


def safely(action: str, call: Callable[..., object], *args: object) -> None:
    """Run a recording; a database problem is logged and never breaks the user's turn."""
    try:
        call(*args)
    except Exception:  # statistics must never cost a user their answer
        logger.exception("Editors' figures not recorded (%s)", action)
