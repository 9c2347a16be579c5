"""What training keeps for ``make bench``: how long the intent classifier's fit took."""

from bot.tools.training import _fit_record


def test_the_trained_model_says_how_long_its_intent_classifier_took_to_fit(trained_model):
    fit = _fit_record(trained_model)
    assert fit is not None, "the model carries no fit record (bot/nlu/tfidf_classifier.py)"
    assert fit["seconds"] > 0 and fit["iterations"] > 0
    assert fit["examples"] > 10_000  # every intent example of data/nlu (15,114 in December)
    # a weight per count or embedding feature and intent: millions (4.3 in December)
    assert fit["weights"] > 1_000_000
