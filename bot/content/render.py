"""Turn an answer into the reply a user sees, in their language.

A reply is the editor's text with its placeholders filled in (amounts formatted by Babel, the
desk's details), the personal-help line, the official links, and the date the facts were last
reviewed; plus follow-up buttons. A translation that is missing falls back to English, logged,
never a crash.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from babel import Locale
from babel.numbers import format_decimal

from bot.content.model import Answer, Content
from bot.content.placeholders import placeholder_values
from bot.i18n import formatting
from bot.i18n.languages import FALLBACK_LANGUAGE, SUPPORTED_LANGUAGES, native_name
from bot.intents import (
    AFFIRM_PAYLOAD,
    DENY_PAYLOAD,
    SHOW_MORE_PAYLOAD,
    feedback_payloads,
    language_payload,
    payload,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Button:
    """A button: what it says, and the payload it sends back."""

    title: str
    payload: str


@dataclass(frozen=True)
class Reply:
    """What the assistant sends for one answer."""

    answer_id: str
    language: str
    text: str
    buttons: tuple[Button, ...] = ()
    has_more: bool = False
    fallback_used: bool = field(default=False, compare=False)


class _Placeholders(dict[str, str]):
    def __missing__(self, key: str) -> str:  # a checked file never gets here
        logger.warning("Unknown placeholder {%s} left as is", key)
        return "{" + key + "}"


def find_answer(content: Content, answer_id: str, language: str) -> Answer | None:
    """The answer in ``language``, else in English (logged), else None."""
    catalog = content.catalogs.get(language)
    if catalog is not None and answer_id in catalog.answers:
        return catalog.answers[answer_id]
    fallback = content.catalogs.get(FALLBACK_LANGUAGE)
    if fallback is not None and answer_id in fallback.answers:
        logger.warning("Answer '%s' missing in '%s'; sent in English", answer_id, language)
        return fallback.answers[answer_id]
    return None


def ui_text(content: Content, key: str, language: str) -> str:
    """An interface string in ``language``, else English, else the key itself."""
    for code in (language, FALLBACK_LANGUAGE):
        catalog = content.catalogs.get(code)
        if catalog is not None and isinstance(catalog.ui.get(key), str):
            return str(catalog.ui[key])
    return key


def ui_count(content: Content, key: str, count: int, language: str) -> str:
    """A counted interface string in the right plural form: "5 minut", "22 minuty".

    Polish, Romanian and Bulgarian have other plural rules than English; the forms are
    written by editors per language (``ui.yml``) and chosen by Babel's CLDR rules.
    """
    for code in (language, FALLBACK_LANGUAGE):
        catalog = content.catalogs.get(code)
        forms = catalog.ui.get(key) if catalog else None
        if isinstance(forms, dict):
            form = Locale.parse(code).plural_form(count)
            text = forms.get(form, forms.get("other", "{n}"))
            return str(text).replace("{n}", format_decimal(count, locale=code))
    return str(count)


def topic_title(content: Content, answer_id: str, language: str) -> str:
    """The button title of a topic in ``language``, else English, else its id."""
    for code in (language, FALLBACK_LANGUAGE):
        catalog = content.catalogs.get(code)
        topics = catalog.ui.get("topics", {}) if catalog else {}
        if isinstance(topics, dict) and answer_id in topics:
            return str(topics[answer_id])
    return answer_id


def topic_buttons(content: Content, answer_ids: Iterable[str], language: str) -> list[Button]:
    """Buttons that open the given topics."""
    return [Button(topic_title(content, a, language), payload(a)) for a in answer_ids]


def forget_buttons(content: Content, language: str) -> list[Button]:
    """The buttons "Yes, delete" / "No, keep it" under the question whether to delete."""
    return [
        Button(ui_text(content, "confirm_forget", language), AFFIRM_PAYLOAD),
        Button(ui_text(content, "keep_data", language), DENY_PAYLOAD),
    ]


HELPFUL_TITLE = "👍"
NOT_HELPFUL_TITLE = "👎"


def feedback_buttons(answer_id: str) -> list[Button]:
    """👍 / 👎 under a topic's answer ("did this help?"): the same in every language."""
    helpful, not_helpful = feedback_payloads(answer_id)
    return [Button(HELPFUL_TITLE, helpful), Button(NOT_HELPFUL_TITLE, not_helpful)]


def language_buttons() -> list[Button]:
    """One button per language, each named in its own language and script."""
    return [Button(native_name(code), language_payload(code)) for code in SUPPORTED_LANGUAGES]


def render(
    content: Content,
    answer_id: str,
    language: str,
    extra_buttons: Iterable[Button] = (),
    detail: bool = False,
    privacy_url: str | None = None,
    values: Mapping[str, str] | None = None,
    feedback: bool = False,
) -> Reply | None:
    """Render ``answer_id`` in ``language``.

    Args:
        content: the loaded content.
        answer_id: which answer.
        language: the reader's language.
        extra_buttons: buttons computed by the conversation (best guesses, languages),
            shown before the answer's own.
        detail: render the answer's "more" text instead of its main text.
        privacy_url: add the one-line privacy notice with this link.
        values: placeholders the conversation fills in (the place in the desk's queue…).
        feedback: add 👍/👎 after "More" (before the answer's follow-up buttons).

    Returns:
        The reply, or None when no language has this answer.

    """
    answer = find_answer(content, answer_id, language)
    if answer is None:
        logger.error("No answer '%s' in any language", answer_id)
        return None
    used = answer.language
    filled = _Placeholders({**placeholder_values(content, used), **(values or {})})
    body = (answer.more if detail and answer.more else answer.text).format_map(filled)
    parts = [body]
    if answer.help == "desk":
        parts.append(ui_text(content, "help_desk", used).format_map(filled))
    if answer.sources:
        links = "\n".join(answer.sources)
        line = f"{ui_text(content, 'source', used)}:\n{links}"
        if answer.reviewed:
            line += f"\n{ui_text(content, 'reviewed', used)}: "
            line += formatting.day(answer.reviewed, used)
        parts.append(line)
    if privacy_url:
        notice = ui_text(content, "privacy_notice", used)
        parts.append(notice.replace("{privacy_url}", privacy_url))
    buttons = list(extra_buttons)
    has_more = bool(answer.more) and not detail
    if has_more:
        buttons.append(Button(ui_text(content, "more", used), SHOW_MORE_PAYLOAD))
    if feedback:
        buttons += feedback_buttons(answer_id)
    buttons += topic_buttons(content, answer.buttons, used)
    return Reply(
        answer_id=answer_id,
        language=used,
        text="\n\n".join(parts),
        buttons=tuple(buttons),
        has_more=has_more,
        fallback_used=used != language,
    )
