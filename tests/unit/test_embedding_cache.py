"""Training embeds only the texts it has not embedded before (``EmbeddingCache``)."""

from __future__ import annotations

import numpy as np
import pytest

from bot.nlu.sentence_embeddings import EmbeddingCache


class CountingEmbedder:
    def __init__(self) -> None:
        self.asked: list[list[str]] = []

    def __call__(self, texts: list[str]) -> np.ndarray:
        self.asked.append(list(texts))
        return np.array([[len(t), t.count("a"), 1.0] for t in texts], dtype=np.float32)


def test_a_second_training_embeds_only_the_new_texts_and_gets_the_same_vectors(tmp_path):
    embed = CountingEmbedder()
    first = EmbeddingCache(tmp_path)
    before = first.vectors(["bsn", "zasiłek", "bsn"], embed)
    first.save()

    second = EmbeddingCache(tmp_path)
    after = second.vectors(["zasiłek", "bsn", "ajutor de somaj"], embed)
    assert embed.asked == [["bsn", "zasiłek"], ["ajutor de somaj"]]
    assert np.array_equal(after[:2], before[[1, 0]])
    second.save()

    third = EmbeddingCache(tmp_path)  # only the texts of the latest training are kept
    third.vectors(["ajutor de somaj"], embed)
    third.save()
    assert len(EmbeddingCache(tmp_path)._known) == 1


def test_an_unreadable_cache_is_an_empty_one(tmp_path):
    cache = EmbeddingCache(tmp_path)
    cache.path.write_bytes(b"not numpy")
    embed = CountingEmbedder()
    EmbeddingCache(tmp_path).vectors(["bsn"], embed)
    assert embed.asked == [["bsn"]]


def test_messages_that_arrive_together_are_embedded_in_one_batch_with_their_own_vectors():
    import threading
    import time

    from bot.nlu.sentence_embeddings import Batcher

    started = threading.Event()

    def slow(texts: list[str]) -> np.ndarray:
        started.set()
        time.sleep(0.05)  # the model is busy: the others queue up
        return np.array([[float(len(t))] for t in texts])

    batcher = Batcher(slow, most=4)
    texts = ["a" * n for n in range(1, 10)]
    found: dict[str, float] = {}

    def ask(text: str) -> None:
        found[text] = float(batcher.embed(text)[0])

    first = threading.Thread(target=ask, args=(texts[0],))
    first.start()
    started.wait()
    rest = [threading.Thread(target=ask, args=(t,)) for t in texts[1:]]
    for thread in rest:
        thread.start()
    for thread in [first, *rest]:
        thread.join()
    assert found == {t: float(len(t)) for t in texts}
    assert batcher.calls == 3  # 1 alone, then 8 that queued meanwhile in batches of at most 4


def test_a_model_error_reaches_every_waiting_message():
    from bot.nlu.sentence_embeddings import Batcher

    def broken(texts: list[str]) -> np.ndarray:
        raise RuntimeError("model failed")

    batcher = Batcher(broken)
    with pytest.raises(RuntimeError, match="model failed"):
        batcher.embed("x")
    assert batcher.calls == 1
