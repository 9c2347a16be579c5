"""Property-based tests (hypothesis): whatever arrives, the parsers, the language detector,
the signals and the content loader answer with a result or a clear refusal, never a crash."""

from __future__ import annotations

import shutil
import unicodedata

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sanic.response import HTTPResponse

from bot.channels.common import MAX_UNDERSTOOD, split_text, trim_for_understanding
from bot.channels.telegram import _command
from bot.channels.webchat import parse_request
from bot.channels.whatsapp import MalformedWebhook, parse_webhook
from bot.content.loader import load_content
from bot.desk.config import read_desk
from bot.desk.signals import load_signals
from bot.i18n.detect import detect
from bot.i18n.languages import SUPPORTED_LANGUAGES
from bot.i18n.text import MAX_READ
from bot.wiring import answer_ids_required
from tests.conftest import ROOT

# Any JSON value, nested a few levels (deeper nesting is the same code path).
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)
# Texts people (and broken clients) send: any Unicode, including control characters,
# right-to-left and combining marks, emoji, and lone surrogates' replacement.
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)


def whatsapp_shaped(value: object) -> dict[str, object]:
    return {"object": "whatsapp_business_account", "entry": [{"changes": [{"value": value}]}]}


@given(JSON)
def test_the_whatsapp_parser_returns_messages_or_refuses(body):
    for candidate in (body, whatsapp_shaped(body), whatsapp_shaped({"messages": [body]})):
        try:
            messages, statuses = parse_webhook(candidate)
        except MalformedWebhook:
            continue
        assert all(m.text and len(m.text) <= 4096 for m in messages)
        assert isinstance(statuses, list)


@given(JSON)
def test_the_web_chat_parser_returns_a_message_or_a_400(body):
    for candidate in (body, {"sender": "web-12345678", "message": body}):
        parsed = parse_request(candidate)
        if isinstance(parsed, HTTPResponse):
            assert parsed.status == 400
        else:
            _, text, metadata = parsed
            assert isinstance(text, str) and isinstance(metadata, dict)


@given(TEXT)
def test_telegram_commands_are_a_word_or_nothing(text):
    command = _command(text)
    assert command is None or (text.strip().startswith("/") and " " not in command)


@given(TEXT, st.integers(min_value=20, max_value=400))
def test_long_texts_are_split_within_the_limit_without_losing_words(text, limit):
    parts = split_text(text, limit)
    assert all(0 < len(part) <= limit for part in parts)
    assert "".join(parts).split() == "".join(text.split()).split() or (
        "".join("".join(parts).split()) == "".join(text.split())
    )


@given(st.text(max_size=5000))
def test_long_messages_are_cut_to_their_beginning(text):
    kept, trimmed = trim_for_understanding(text)
    assert len(kept) <= MAX_UNDERSTOOD and text.startswith(kept)
    assert trimmed is (len(text) > MAX_UNDERSTOOD)


@settings(max_examples=60, deadline=None)
@given(TEXT)
def test_the_language_detector_names_one_of_our_languages_or_none(text):
    found = detect(text)
    assert found is None or found.code in SUPPORTED_LANGUAGES


SIGNALS = load_signals()
# The danger, urgent and near-miss messages of the phrase tests, in five languages.
EXAMPLES = sorted(
    text
    for path in sorted((ROOT / "tests" / "unit" / "signals").glob("*.yml"))
    for texts in yaml.safe_load(path.read_text(encoding="utf-8")).values()
    for text in texts
)
# Letters of our languages with and without diacritics (not Turkish dotless i, whose upper case
# folds to a different letter), spaces and punctuation.
LETTERS = "abcdefghijklmnopqrstuvwxyz ąćęłńóśźż ăâîșțşţ ëïéèüö абвгдежзийклмнопрстуфхцчшщъьюя"
NOISE = st.text(alphabet=LETTERS + " .,!?'-\n", max_size=80)
# A message: near-miss and danger phrases, with words around them.
MESSAGE = st.lists(st.sampled_from(EXAMPLES) | NOISE, min_size=1, max_size=4).map(" ".join)


def without_diacritics(text: str) -> str:
    return "".join(
        ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)
    )


@settings(deadline=None)
@given(MESSAGE, st.sampled_from([str.upper, str.title, without_diacritics, "NFD", "NFC"]))
def test_signals_do_not_depend_on_case_or_diacritics(text, change):
    changed = unicodedata.normalize(change, text) if isinstance(change, str) else change(text)
    assert SIGNALS.assess(changed) == SIGNALS.assess(text)


@settings(max_examples=25, deadline=None)  # 2,000 characters each: 30 ms per assessment
@given(TEXT, MESSAGE, MESSAGE | TEXT)
def test_nothing_after_the_read_limit_changes_the_assessment(start, middle, end):
    """What the checks read is bounded: a danger phrase after 2,000 characters is not seen."""
    read = (start + " " + middle + " " + "how do i register? " * 110)[:MAX_READ]
    assert SIGNALS.assess(read + end) == SIGNALS.assess(read)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=400) | TEXT.map(str.encode))
def test_any_bytes_in_an_answer_file_give_problems_with_the_file_never_a_crash(tmp_path, raw):
    project = tmp_path / "project"
    if project.exists():
        shutil.rmtree(project)
    shutil.copytree(ROOT / "locales", project / "locales")
    for name in ("desk.yml", "domain.yml"):
        shutil.copy(ROOT / name, project / name)
    (project / "locales" / "pl" / "work.yml").write_bytes(raw)
    result = load_content(project, answer_ids_required(project), read_desk=read_desk)
    # usable, or refused with problems that point at Polish files (the broken one, or answers
    # that are now missing in Polish)
    assert result.content is not None or (
        result.errors and all(p.file.startswith("locales/pl") for p in result.errors)
    )
