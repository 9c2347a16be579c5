"""Language detection on realistic messages and on the held-out NLU examples."""

import re
from pathlib import Path

import pytest

from bot.i18n.detect import detect, strip_dutch_terms
from bot.i18n.latin_bulgarian import looks_bulgarian
from bot.tools.bench_nlu import load_examples

HELD_OUT = Path(__file__).resolve().parents[1] / "nlu"
CYRILLIC = re.compile(r"[\u0400-\u04ff]")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("gdzie moge dostac numer bsn", "pl"),
        ("nie mam zorgverzekering co mam robic", "pl"),  # Dutch words, Polish sentence
        ("unde pot lua bsn", "ro"),
        ("buna ziua, am nevoie de un huisarts pentru copilul meu", "ro"),
        ("как да си извадя бсн", "bg"),
        ("kak da si izvadya bsn", "bg"),  # Bulgarian in Latin letters
        ("zdraveite, rabotya prez agenciya i ne mi plashtat zaplatata", "bg"),
        # a long Dutch term in a Romanian or Polish sentence (work and income, 2026-12)
        ("agentia vrea sa semnez azi o vaststellingsovereenkomst", "ro"),
        ("szef kaze podpisac vaststellingsovereenkomst, a bedrijfsarts mowi ze jestem chory", "pl"),
        ("waar kan ik mijn bsn ophalen", "nl"),
        ("where can i get my bsn number", "en"),
    ],
)
def test_realistic_messages(text, language):
    detection = detect(text)
    assert detection is not None and detection.code == language
    assert detection.reliable


@pytest.mark.parametrize("text", ["ok", "BSN", "👍", "?", "", "   ", "112"])
def test_too_little_text_decides_nothing(text):
    detection = detect(text)
    assert detection is None or not detection.reliable


def test_short_texts_never_switch_a_conversation():
    for text in ["ok dzieki", "da", "merci", "bsn?", "huisarts"]:
        detection = detect(text)
        assert detection is None or not detection.strong, text


def test_dutch_terms_are_ignored_for_detection():
    assert strip_dutch_terms("nie mam BSN ani DigiD") == "nie mam ani"


def test_binary_and_huge_input_do_not_break_detection():
    assert detect("\x00\x01\x02") is None
    assert detect(None) is None  # type: ignore[arg-type]
    assert detect("zdravei " * 10_000) is not None


def test_latin_bulgarian_on_held_out_examples():
    """Recall on Bulgarian typed in Latin letters; no false alarms on the other languages."""
    examples = load_examples(HELD_OUT)
    latin_bg = [e for e in examples if e.language == "bg" and not CYRILLIC.search(e.text)]
    others = [e for e in examples if e.language in {"pl", "ro", "en"}]
    recall = sum(looks_bulgarian(e.text) for e in latin_bg) / len(latin_bg)
    false_alarms = [e.text for e in others if looks_bulgarian(e.text)]
    assert len(latin_bg) >= 50
    assert recall >= 0.75, f"recall {recall:.0%}"
    assert len(false_alarms) <= len(others) // 100, false_alarms


@pytest.mark.parametrize("language", ["pl", "ro", "bg", "nl", "en"])
def test_reliable_detections_are_right_on_held_out_examples(language):
    """When the detector is sure enough to set a language, it is right ≥ 90% of the time."""
    examples = [e for e in load_examples(HELD_OUT) if e.language == language]
    detections = [(e, detect(e.text)) for e in examples]
    reliable = [(e, d) for e, d in detections if d is not None and d.reliable]
    right = sum(d.code == e.language for e, d in reliable)
    assert len(reliable) >= 0.7 * len(examples)
    assert right / len(reliable) >= 0.9, f"{right}/{len(reliable)}"


@pytest.mark.parametrize(
    ("latin", "cyrillic"),
    [
        ("kak da si napravq bsn nomer", "как да си направя bsn номер"),
        ("nyamam zaplata veche tri sedmitsi", "нямам заплата вече три седмици"),
        ("6efa ne mi plati 4asovete", "шефа не ми плати часовете"),
        # u for ъ becomes у ("куде"): close enough to read; Dutch terms stay as written
        (
            "kude e gemeente v tilburg, trqbva da se zapisha",
            "куде е gemeente в тилбург, трябва да се запиша",
        ),
    ],
)
def test_latin_bulgarian_is_written_in_cyrillic_for_the_embedding(latin, cyrillic):
    from bot.i18n.detect import readable

    assert readable(latin) == cyrillic


@pytest.mark.parametrize(
    "text", ["gdzie moge dostac numer bsn", "de unde iau numarul bsn", "waar krijg ik een bsn"]
)
def test_other_languages_are_left_as_written_for_the_embedding(text):
    from bot.i18n.detect import readable

    assert readable(text) == text
