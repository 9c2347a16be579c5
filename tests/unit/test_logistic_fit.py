"""The intent classifier's fit finds what scikit-learn's LogisticRegression finds.

Training fits the regression on the sparse counts and the dense embedding kept apart
(``bot/nlu/logistic_fit.py``); the model must not change for it: same probabilities, same
intents, on the kind of matrix training builds (many sparse columns, some dense ones, classes
of different sizes, "balanced" weights).
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse
from sklearn.linear_model import LogisticRegression

from bot.nlu import logistic_fit


def problem(seed: int = 3, rows: int = 600, words: int = 400, dims: int = 24, classes: int = 7):
    """Counts that hint at the class, an embedding that hints too, and unequal class sizes."""
    rng = np.random.default_rng(seed)
    sizes = np.linspace(1, 3, classes)
    labels = rng.choice(classes, size=rows, p=sizes / sizes.sum())
    counts = scipy.sparse.random(rows, words, density=0.02, random_state=seed, format="lil")
    for row, label in enumerate(labels):  # each class has a few words of its own
        counts[row, label * 5 + rng.integers(5)] = 1.0
    centres = rng.normal(size=(classes, dims))
    embedding = centres[labels] + rng.normal(scale=1.5, size=(rows, dims))
    names = np.array([f"intent_{i}" for i in range(classes)])[labels]
    return counts.tocsr(), embedding, names


@pytest.mark.parametrize("C", [1.0, 60.0])
def test_the_fit_matches_scikit_learn(C: float) -> None:
    counts, embedding, labels = problem()
    reference = LogisticRegression(
        C=C, solver="lbfgs", tol=1e-6, max_iter=5000, class_weight="balanced"
    ).fit(scipy.sparse.hstack([counts, scipy.sparse.csr_matrix(embedding)]).tocsr(), labels)

    fitted = logistic_fit.fit(counts, embedding, labels, C=C, tol=1e-6, max_iter=5000)
    ours = fitted.as_estimator(C, tol=1e-6, max_iter=5000)

    assert fitted.converged
    together = scipy.sparse.hstack([counts, scipy.sparse.csr_matrix(embedding)]).tocsr()
    assert list(ours.classes_) == list(reference.classes_)
    np.testing.assert_allclose(
        ours.predict_proba(together), reference.predict_proba(together), atol=2e-3
    )
    assert (ours.predict(together) == reference.predict(together)).all()


def test_unequal_classes_are_weighted_like_scikit_learn() -> None:
    """A rare intent is not drowned by a frequent one ("balanced" class weights)."""
    counts, embedding, labels = problem(seed=5, classes=3)
    rare = np.flatnonzero(labels == "intent_0")[5:]
    keep = np.setdiff1d(np.arange(len(labels)), rare)  # intent_0 keeps 5 examples
    counts, embedding, labels = counts[keep], embedding[keep], labels[keep]
    reference = LogisticRegression(C=10.0, tol=1e-6, max_iter=5000, class_weight="balanced")
    together = scipy.sparse.hstack([counts, scipy.sparse.csr_matrix(embedding)]).tocsr()
    reference.fit(together, labels)

    fitted = logistic_fit.fit(counts, embedding, labels, C=10.0, tol=1e-6)
    ours = fitted.as_estimator(10.0, 1e-6, 1000)

    np.testing.assert_allclose(ours.coef_, reference.coef_, atol=5e-3)
    np.testing.assert_allclose(ours.intercept_, reference.intercept_, atol=5e-3)


def test_one_intent_is_not_a_classifier() -> None:
    counts, embedding, labels = problem()
    with pytest.raises(ValueError, match="two intents"):
        logistic_fit.fit(counts, embedding, np.full(len(labels), "greet"), C=1.0)
