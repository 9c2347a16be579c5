"""The unknown-words rule: no known word and an unsure classifier → not understood."""

from __future__ import annotations

from unittest.mock import MagicMock

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.unknown_words import UnknownWordsFallback


def component(vocabulary: set[str]) -> UnknownWordsFallback:
    config = UnknownWordsFallback.get_default_config()
    return UnknownWordsFallback(config, MagicMock(), MagicMock(), frozenset(vocabulary))


def classified(text: str, intent: str, confidence: float) -> Message:
    ranking = [{"name": intent, "confidence": confidence}]
    return Message(
        data={"text": text, "intent": ranking[0], "intent_ranking": ranking},
        output_properties={"intent", "intent_ranking"},
    )


@pytest.mark.parametrize(
    ("text", "confidence", "expected"),
    [
        ("qqzx zzkv", 0.45, "nlu_fallback"),  # nothing known, classifier unsure
        ("hejo", 0.96, "greet"),  # nothing known, classifier sure
        ("siemanko", 0.6, "greet"),  # small talk: less sure is enough
        ("czesc hejo", 0.45, "greet"),  # a known word
        ("/greet", 0.1, "greet"),  # a button payload
    ],
)
def test_unknown_words_with_an_unsure_classifier_are_not_understood(text, confidence, expected):
    [message] = component({"czesc"}).process([classified(text, "greet", confidence)])
    assert message.get("intent")["name"] == expected


@pytest.mark.parametrize(("confidence", "expected"), [(0.6, "nlu_fallback"), (0.85, "bsn")])
def test_a_topic_without_a_known_word_needs_a_sure_classifier(confidence, expected):
    [message] = component({"czesc"}).process([classified("qwrtz bsnn", "bsn", confidence)])
    assert message.get("intent")["name"] == expected
