"""What must agree between the languages: the same answers, placeholders, help and buttons.

English (the fallback language) is the reference a translation is compared with.
"""

from __future__ import annotations

from pathlib import Path

from bot import messenger_limits
from bot.content.model import Answer, Catalog
from bot.content.placeholders import names_in
from bot.content.yamlfile import Problem, display_path
from bot.i18n.languages import FALLBACK_LANGUAGE
from bot.intents import HANDOFF_INTENT, SYSTEM_ANSWERS, payload

# Buttons that start something instead of opening an answer: "Talk to a person" starts the
# handoff form (its title is under ui.topics like a topic's).
ACTION_BUTTONS = frozenset({HANDOFF_INTENT})


def check_canned(catalogs: dict[str, Catalog], root: Path, problems: list[Problem]) -> None:
    """Every ready-made reply in every language (a warning: staff then cannot send it)."""
    every = set().union(*(set(c.canned) for c in catalogs.values()))
    for language, catalog in catalogs.items():
        for reply_id in sorted(every - set(catalog.canned)):
            problems.append(
                Problem(
                    display_path(root, root / "locales" / language / "canned.yml"),
                    1,
                    f"the ready-made reply '{reply_id}' is missing in '{language}'",
                    "warning",
                )
            )


def check_across_languages(
    catalogs: dict[str, Catalog],
    broken: dict[str, set[str]],
    required_ids: set[str],
    root: Path,
    problems: list[Problem],
) -> dict[str, set[str]]:
    """Check what must agree between languages; return the missing answer ids per language."""
    reference = catalogs.get(FALLBACK_LANGUAGE)
    all_ids = set().union(*(set(c.answers) for c in catalogs.values()), *broken.values())
    expected = required_ids | SYSTEM_ANSWERS | all_ids
    missing_ids: dict[str, set[str]] = {}
    for language, catalog in catalogs.items():
        folder = display_path(root, root / "locales" / language)
        missing_ids[language] = expected - set(catalog.answers) - broken.get(language, set())
        for missing in sorted(missing_ids[language]):
            problems.append(
                Problem(
                    folder,
                    1,
                    f"answer '{missing}' is missing in '{language}' (users get English instead)",
                )
            )
        topics = catalog.ui.get("topics", {}) if isinstance(catalog.ui.get("topics"), dict) else {}
        for answer in catalog.answers.values():
            for button in answer.buttons:
                if button not in all_ids and button not in ACTION_BUTTONS:
                    problems.append(
                        Problem(answer.file, answer.line, f"button '{button}' is not an answer id")
                    )
                elif button not in topics:
                    problems.append(
                        Problem(
                            answer.file,
                            answer.line,
                            f"button '{button}' needs a title under ui: topics: in {folder}",
                        )
                    )
                if len(payload(button).encode()) > messenger_limits.PAYLOAD_BYTES:
                    problems.append(
                        Problem(
                            answer.file,
                            answer.line,
                            f"button '{button}' makes a payload over "
                            f"{messenger_limits.PAYLOAD_BYTES} bytes; use a shorter id",
                        )
                    )
            if reference is not None and language != FALLBACK_LANGUAGE:
                original = reference.answers.get(answer.id)
                if original is not None:
                    _compare(original, answer, problems)
    return missing_ids


def _compare(original: Answer, translation: Answer, problems: list[Problem]) -> None:
    """A translation against the English answer: placeholders, help line, sources."""
    for name in ("text", "more"):
        a, b = getattr(original, name), getattr(translation, name)
        try:
            ours, theirs = names_in(a or ""), names_in(b or "")
        except ValueError:
            continue
        if ours != theirs:
            problems.append(
                Problem(
                    translation.file,
                    translation.line,
                    f"'{translation.id}' {name} uses placeholders {sorted(theirs)} but English "
                    f"uses {sorted(ours)}; every language must use the same ones",
                )
            )
    if (original.help is None) != (translation.help is None):
        problems.append(
            Problem(
                translation.file,
                translation.line,
                f"'{translation.id}' must have the same 'help' as in English",
            )
        )
    if bool(original.sources) != bool(translation.sources):
        problems.append(
            Problem(
                translation.file,
                translation.line,
                f"'{translation.id}' has sources in one language but not in another",
            )
        )
