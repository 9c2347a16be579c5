"""Treat a message as not understood when none of its words occurs in the training data.

A linear classifier has to pick *some* intent for "qqzx zzkv", "asdfgh" or "1234", and short
unknown texts tend to land on short intents (affirm, greet) with a confidence above the
fallback threshold. A confident wrong answer is worse than "I did not understand", so this
component, placed after the FallbackClassifier, turns such messages into ``nlu_fallback``. The
vocabulary is learnt at training time (folded: lowercase, no diacritics) and stored in the model.

The sentence embedding recognises words we never trained on ("hejo", "absoluut", "хелоу"), so a
classifier that is at least ``trust_confidence`` sure is believed even without a known word; on
gibberish it stays well below that (see tests/integration/test_understanding.py). For small
talk (greetings, yes, no, thanks: a wrong guess there costs nothing) ``trust_small_talk`` is
enough ("Siemanko!", "ano").
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.i18n.text import fold
from bot.intents import NOT_TOPICS

logger = logging.getLogger(__name__)

_WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)
_VOCABULARY_FILE = "vocabulary.json"


def words_of(text: str) -> list[str]:
    """The folded words of ``text`` (letters only, at least two)."""
    return _WORD.findall(fold(text))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class UnknownWordsFallback(GraphComponent):
    """Predicts ``nlu_fallback`` for messages without a single known word."""

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        vocabulary: frozenset[str] = frozenset(),
    ) -> None:
        self._config = config
        self._storage = model_storage
        self._resource = resource
        self._vocabulary = vocabulary

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Confidence from which the classifier is believed without a known word (1: never)."""
        return {"trust_confidence": 0.8, "trust_small_talk": 0.6}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> UnknownWordsFallback:
        """A new, untrained component."""
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> UnknownWordsFallback:
        """Load the vocabulary stored at training time."""
        try:
            with model_storage.read_from(resource) as folder:
                words = json.loads((folder / _VOCABULARY_FILE).read_text(encoding="utf-8"))
        except (ValueError, OSError):
            logger.warning("No vocabulary in the model; every message counts as known")
            return cls(config, model_storage, resource)
        return cls(config, model_storage, resource, frozenset(words))

    def train(self, training_data: TrainingData) -> Resource:
        """Collect the words of every training example."""
        vocabulary: set[str] = set()
        for example in training_data.intent_examples:
            vocabulary.update(words_of(example.get(TEXT) or ""))
        self._vocabulary = frozenset(vocabulary)
        with self._storage.write_to(self._resource) as folder:
            (folder / _VOCABULARY_FILE).write_text(json.dumps(sorted(vocabulary)), encoding="utf-8")
        return self._resource

    def process(self, messages: list[Message]) -> list[Message]:
        """Mark messages with no known word as not understood."""
        if not self._vocabulary:
            return messages
        for message in messages:
            text = message.get(TEXT) or ""
            if not text or text.startswith("/"):
                continue
            if not any(word in self._vocabulary for word in words_of(text)):
                intent = message.get(INTENT) or {}
                if intent.get("name") == DEFAULT_NLU_FALLBACK_INTENT_NAME:
                    continue
                confidence = float(intent.get("confidence") or 0.0)
                small_talk = intent.get("name") in NOT_TOPICS
                trust = self._config["trust_small_talk" if small_talk else "trust_confidence"]
                if confidence >= trust:
                    continue
                fallback = {"name": DEFAULT_NLU_FALLBACK_INTENT_NAME, "confidence": 1.0}
                message.set(INTENT, fallback, add_to_output=True)
                message.data.setdefault(INTENT_RANKING_KEY, []).insert(0, fallback)
        return messages
