"""The ``ui:`` section of each language: required keys, button titles, plural forms.

Button titles must fit the messengers (``bot.messenger_limits``); counted texts need the
plural forms of their language (Unicode CLDR, through Babel).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot import messenger_limits
from bot.content.model import Catalog
from bot.content.yamlfile import LoadedYaml, Problem, display_path

MAX_BUTTON_TITLE = messenger_limits.BUTTON_TITLE

# Interface texts that are button titles.
BUTTON_KEYS = (
    "more",
    "options",
    "confirm_forget",
    "keep_data",
    "consent_yes",
    "consent_no",
    "contact_chat",
    "contact_phone",
)
UI_REQUIRED = {
    "topics",
    "source",
    "reviewed",
    "help_desk",
    "choose_language",
    "slow_down",
    "privacy_notice",
    "unavailable",
    "long_message",
    *BUTTON_KEYS,
}


def check_ui(
    catalogs: dict[str, Catalog],
    ui_files: dict[str, LoadedYaml],
    root: Path,
    problems: list[Problem],
) -> None:
    """Check every language's ``ui`` section; problems name its ``ui.yml`` and line."""
    for language, catalog in catalogs.items():
        loaded = ui_files.get(language)
        where = (
            loaded.file if loaded else display_path(root, root / "locales" / language / "ui.yml")
        )

        def line_of(*path: str, loaded: LoadedYaml | None = loaded) -> int:
            return loaded.line(("ui", *path)) if loaded else 1

        for key in sorted(UI_REQUIRED - set(catalog.ui)):
            problems.append(Problem(where, line_of(), f"the 'ui' section needs '{key}'"))
        for line, message in _ui_value_problems(catalog, line_of):
            problems.append(Problem(where, line, message))


def _ui_value_problems(catalog: Catalog, line_of: Callable[..., int]) -> list[tuple[int, str]]:
    """Button titles that do not fit, empty or malformed texts, incomplete plural forms."""
    found: list[tuple[int, str]] = []
    topics = catalog.ui.get("topics", {})
    if not isinstance(topics, dict):
        found.append((line_of(), "'topics' must contain 'answer_id: title' lines"))
        topics = {}
    titles = {
        f"the title of '{topic}'": (title, line_of("topics", topic))
        for topic, title in topics.items()
    }
    for key in BUTTON_KEYS:
        if key in catalog.ui:
            titles[f"'{key}' (a button title)"] = (catalog.ui[key], line_of(key))
    for what, (title, line) in titles.items():
        if not isinstance(title, str) or not title.strip():
            found.append((line, f"{what} is empty"))
        elif len(title) > MAX_BUTTON_TITLE:
            found.append(
                (line, f"{what} has {len(title)} characters; buttons allow {MAX_BUTTON_TITLE}")
            )
    for key, value in catalog.ui.items():
        if key == "topics":
            continue
        if isinstance(value, dict):  # plural forms of a counted string
            messages = plural_problems(key, value, catalog.language)
        else:
            messages = [] if isinstance(value, str) else [f"'{key}' must be text"]
        found.extend((line_of(key), message) for message in messages)
    return found + _notice_problems(catalog, line_of)


def _notice_problems(catalog: Catalog, line_of: Callable[..., int]) -> list[tuple[int, str]]:
    notice = catalog.ui.get("privacy_notice")
    if isinstance(notice, str) and notice.count("{privacy_url}") != 1:
        message = "'privacy_notice' must contain {privacy_url} once (where the link goes)"
        return [(line_of("privacy_notice"), message)]
    return []


def plural_categories(language: str) -> set[str]:
    """The plural forms a language needs (CLDR): Polish one/few/many/other, Dutch one/other."""
    from babel import Locale

    return set(Locale.parse(language).plural_form.tags) | {"other"}


def plural_problems(key: str, forms: dict[str, Any], language: str) -> list[str]:
    """What is wrong with the plural forms of an interface string, in words."""
    needed = plural_categories(language)
    messages = []
    missing = sorted(needed - set(forms))
    if missing:
        messages.append(
            f"'{key}' needs the plural forms {', '.join(sorted(needed))} in "
            f"'{language}'; missing: {', '.join(missing)}"
        )
    unknown = sorted(set(forms) - needed)
    if unknown:
        messages.append(
            f"'{key}' has plural forms '{language}' does not use: " + ", ".join(unknown)
        )
    for form, text in forms.items():
        if not isinstance(text, str) or "{n}" not in text:
            messages.append(f"'{key}' form '{form}' must be text containing {{n}}")
    return messages
