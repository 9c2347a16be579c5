"""The NLU data itself: enough examples everywhere, and a held-out set that stays held out."""

import re
from collections import Counter

import pytest

from bot.i18n.text import fold
from bot.tools.bench_nlu import load_examples
from bot.wiring import domain_intents
from tests.conftest import LANGUAGES, ROOT

TRAIN = load_examples(ROOT / "data" / "nlu")
HELD_OUT = load_examples(ROOT / "tests" / "nlu")


def normal(text: str) -> str:
    return " ".join(re.findall(r"\w+", fold(text)))


def test_no_held_out_example_is_in_the_training_data():
    training = {normal(e.text) for e in TRAIN}
    leaked = [e.text for e in HELD_OUT if normal(e.text) in training]
    assert leaked == [], f"{len(leaked)} held-out examples also in data/nlu: {leaked[:10]}"


def test_no_example_is_given_two_intents():
    intents: dict[str, set[str]] = {}
    for e in TRAIN:
        intents.setdefault(normal(e.text), set()).add(e.intent)
    conflicts = {text: sorted(i) for text, i in intents.items() if len(i) > 1}
    assert conflicts == {}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_intent_has_enough_examples(language):
    minimum = 10 if language == "en" else 20
    counts = Counter(e.intent for e in TRAIN if e.language == language)
    held_out = Counter(e.intent for e in HELD_OUT if e.language == language)
    for intent in domain_intents(ROOT) - {"show_more"}:
        assert counts[intent] >= minimum, (language, intent, counts[intent])
        assert held_out[intent] >= 5, (language, intent, held_out[intent])
