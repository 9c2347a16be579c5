"""Custom Rasa NLU components."""

# Saved beside the intent classifier's fitted pipeline: how long its fit took, in how many
# iterations over how many weights, and when it ended (written by ``tfidf_classifier``, read
# by ``make train`` and ``make bench``).
FIT_RECORD = "fit.json"
