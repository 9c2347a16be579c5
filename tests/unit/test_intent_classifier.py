"""The intent classifier's probabilities are the fitted pipeline's, computed without its checks.

A message's intent and ranking come from ``TfidfIntentClassifier._probabilities`` (the TF-IDF
weighting and the regression by hand: 1.4 ms → ~0.2 ms a message); they must be exactly what
scikit-learn's ``predict_proba`` of the saved pipeline gives, or understanding changes.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from sklearn.pipeline import Pipeline

from bot.nlu import logistic_fit
from bot.nlu.tfidf_classifier import TfidfIntentClassifier

WORDS, DIMS = 300, 16


def counts_and_embedding(rows: int, seed: int) -> tuple[scipy.sparse.csr_matrix, np.ndarray]:
    rng = np.random.default_rng(seed)
    counts = scipy.sparse.random(rows, WORDS, density=0.03, random_state=seed, format="csr")
    counts.data = np.ceil(counts.data * 3)  # counts of 1 to 3
    return counts, rng.normal(size=(rows, DIMS))


def classifier() -> TfidfIntentClassifier:
    """A classifier fitted the way training fits it, on made-up counts and embeddings."""
    component = TfidfIntentClassifier(
        {**TfidfIntentClassifier.get_default_config(), "C": 60.0}, "classifier", None, None
    )
    counts, embedding = counts_and_embedding(400, seed=1)
    labels = np.array(["greet", "sick_pay", "housing", "payslip"])[
        (np.asarray(counts[:, :4].sum(axis=1)).ravel() + (embedding[:, 0] > 0) * 2).astype(int) % 4
    ]
    features = component._features(WORDS, DIMS)
    X = scipy.sparse.hstack([counts, scipy.sparse.csr_matrix(embedding)]).tocsr()
    weighted = scipy.sparse.csr_matrix(features.fit_transform(X))
    fitted = logistic_fit.fit(weighted[:, :WORDS], weighted[:, WORDS:].toarray(), labels, C=60.0)
    component.clf = Pipeline(
        [("features", features), ("logreg", fitted.as_estimator(60.0, 1e-4, 1000))]
    )
    component._prepare_for_prediction()
    return component


def test_probabilities_are_the_pipelines():
    component = classifier()
    counts, embedding = counts_and_embedding(50, seed=2)
    counts = counts.tolil()
    counts[7] = 0  # a message without a known word: only its embedding speaks
    counts = counts.tocsr()
    counts.eliminate_zeros()
    X = scipy.sparse.hstack([counts, scipy.sparse.csr_matrix(embedding)]).tocsr()

    np.testing.assert_allclose(
        component._probabilities(X), component.clf.predict_proba(X), rtol=1e-9, atol=1e-12
    )


def test_a_message_gets_the_pipelines_intent_and_ranking():
    component = classifier()
    counts, embedding = counts_and_embedding(1, seed=3)
    message = Message(data={TEXT: "jak dostanę chorobowe"})
    message.add_features(Features(counts.tocoo(), FEATURE_TYPE_SENTENCE, TEXT, "counts"))
    message.add_features(Features(embedding, FEATURE_TYPE_SENTENCE, TEXT, "embedding"))
    X = scipy.sparse.hstack([counts, scipy.sparse.csr_matrix(embedding)]).tocsr()
    expected = component.clf.predict_proba(X)[0]

    component.process([message])

    ranking = message.get("intent_ranking")
    assert [entry["name"] for entry in ranking] == list(
        component.clf.classes_[np.argsort(-expected)]
    )
    assert message.get("intent")["name"] == component.clf.classes_[np.argmax(expected)]
    assert message.get("intent")["confidence"] == pytest.approx(expected.max(), rel=1e-9)


def _message(seed: int, dense: bool = True) -> Message:
    """A message as the pipeline leaves it: word counts, character counts, an embedding."""
    rng = np.random.default_rng(seed)
    message = Message(data={TEXT: f"bericht {seed}"})
    for origin, width in (("words", 40), ("characters", 90)):
        counts = scipy.sparse.random(1, width, density=0.1, random_state=seed, format="coo")
        counts.data = np.ceil(counts.data * 3)
        message.add_features(Features(counts, FEATURE_TYPE_SENTENCE, TEXT, origin))
    if dense:
        vector = rng.normal(size=(1, DIMS))
        vector[0, 3] = 0.0  # a zero in the embedding is not stored
        message.add_features(Features(vector, FEATURE_TYPE_SENTENCE, TEXT, "embedding"))
    return message


def _rasas_matrix(messages: list[Message]) -> scipy.sparse.csr_matrix:
    from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier

    return scipy.sparse.csr_matrix(LogisticRegressionClassifier._create_X(None, messages))


def test_the_classifiers_input_is_rasas_matrix():
    """Counts of both featurizers in their order, then the embedding: what training saw."""
    messages = [_message(seed) for seed in range(5)]
    ours = classifier()._create_X(messages)
    expected = _rasas_matrix(messages)
    assert ours.shape == expected.shape == (5, 40 + 90 + DIMS)
    assert (ours != expected).nnz == 0
    assert ours.nnz == expected.nnz  # no stored zeros either


def test_a_message_without_an_embedding_is_built_rasas_way():
    messages = [_message(1, dense=False), _message(2, dense=False)]
    ours = classifier()._create_X(messages)
    assert (scipy.sparse.csr_matrix(ours) != _rasas_matrix(messages)).nnz == 0
