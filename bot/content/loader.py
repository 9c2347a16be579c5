"""Load and validate ``locales/`` and ``locales/amounts.yml``, with the desk's details.

Every rule here is explained to editors in ``locales/README.md``. A problem is reported with the
file, the line and what to do; loading never raises on bad content. The rules themselves are
in the modules of this package: ``answers`` (one file's sections), ``amounts``, ``ui``,
``consistency`` (what must agree between languages), ``placeholders``. ``desk.yml`` is read
by the desk package (``bot.desk.config.read_desk``), which the caller passes in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.content import yamlfile
from bot.content.amounts import amount_values, load_amounts
from bot.content.answers import read_canned, read_file
from bot.content.consistency import check_across_languages, check_canned
from bot.content.model import Answer, Catalog, Content, DeskDetails
from bot.content.placeholders import RUNTIME_PLACEHOLDERS, desk_values
from bot.content.ui import check_ui
from bot.content.yamlfile import LoadedYaml, Problem, display_path
from bot.i18n.languages import SUPPORTED_LANGUAGES

# Reads the desk's details of a project (``bot.desk.config.read_desk``); what is wrong goes to
# the list of problems, with file and line; None when the desk cannot be used.
DeskReader = Callable[[Path, list[Problem]], DeskDetails | None]


@dataclass
class LoadResult:
    """What loading found: the content (when usable) and every problem."""

    content: Content | None
    problems: list[Problem] = field(default_factory=list)
    missing: dict[str, set[str]] = field(default_factory=dict)  # answer ids per language
    # What could be read, also when there are errors: the content check measures the answers
    # as sent from it, so that an editor sees every length problem at once, not one per round.
    readable: Content | None = None

    @property
    def errors(self) -> list[Problem]:
        """Problems that make the content unusable."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """Problems worth an editor's look that do not block anything."""
        return [p for p in self.problems if p.severity == "warning"]


def load_content(
    project_root: Path,
    required_ids: set[str] | None = None,
    today: dt.date | None = None,
    *,
    read_desk: DeskReader,
) -> LoadResult:
    """Load everything under ``project_root`` (``locales/``, the desk) and validate it.

    Args:
        project_root: the repository folder.
        required_ids: answer ids that must exist in every language (the domain's intents);
            the system answers are always required.
        today: the date against which ``reviewed`` is judged (a fixed date in tests).
        read_desk: reads the desk's details (``bot.wiring.content_store`` passes
            ``bot.desk.config.read_desk``).

    """
    today = today or dt.date.today()
    problems: list[Problem] = []
    locales = project_root / "locales"
    amounts = load_amounts(project_root, locales / "amounts.yml", problems)
    desk = read_desk(project_root, problems)
    desk_placeholders = desk_values(desk)

    catalogs: dict[str, Catalog] = {}
    broken: dict[str, set[str]] = {}
    unreadable: set[str] = set()  # languages with a file that could not be read at all
    ui_lines: dict[str, LoadedYaml] = {}
    for language in SUPPORTED_LANGUAGES:
        folder = locales / language
        files = sorted(folder.glob("*.yml")) if folder.is_dir() else []
        if not files:
            problems.append(
                Problem(
                    display_path(project_root, folder),
                    1,
                    f"no answer files for language '{language}'",
                )
            )
        answers: dict[str, Answer] = {}
        ui: dict[str, Any] = {}
        canned: dict[str, str] = {}
        broken[language] = set()
        values = {
            **amount_values(amounts, language),
            **desk_placeholders,
            **RUNTIME_PLACEHOLDERS,
        }
        for path in files:
            loaded = yamlfile.load(path, display_path(project_root, path))
            problems.extend(loaded.problems)
            if loaded.data is None:
                unreadable.add(language)
                continue
            read_file(loaded, language, answers, broken[language], ui, values, today, problems)
            read_canned(loaded, canned, problems)
            if "ui" in (loaded.data if isinstance(loaded.data, dict) else {}):
                ui_lines[language] = loaded
        catalogs[language] = Catalog(language, answers, ui, canned)

    check_ui(catalogs, ui_lines, project_root, problems)
    check_canned(catalogs, project_root, problems)
    complete = {code: c for code, c in catalogs.items() if code not in unreadable}
    missing = check_across_languages(
        complete, broken, required_ids or set(), project_root, problems
    )
    content = Content(catalogs, amounts, desk) if desk is not None else None
    result = LoadResult(content, problems, missing, readable=content)
    if result.errors:
        result.content = None
    return result
