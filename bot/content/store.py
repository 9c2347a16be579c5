"""The content the running assistant serves, reloaded when an editor saves a file.

Files are checked for changes at most every ``interval`` seconds (a few ``stat`` calls). A
changed set is loaded and validated as a whole: when valid it replaces the old content at once;
when not, every problem is logged with its file and line and the last good content keeps being
served.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from bot.content.loader import DeskReader, LoadResult, load_content
from bot.content.model import Content

logger = logging.getLogger(__name__)


class ContentError(Exception):
    """The content cannot be used; ``problems`` says where and why."""

    def __init__(self, result: LoadResult) -> None:
        self.problems = result.errors
        lines = "\n".join(f"  {p}" for p in self.problems[:50])
        super().__init__(f"{len(self.problems)} problem(s) in the answer files:\n{lines}")


class ContentStore:
    """Serves the last good content and reloads it when the files change.

    Args:
        project_root: the repository folder (``locales/``, ``desk.yml``).
        required_ids: answer ids every language must have (``bot.wiring.answer_ids_required``).
        interval: seconds between two looks at the files.
        clock: monotonic seconds (a fake one in tests).
        read_desk: reads the desk's details (``bot.desk.config.read_desk``).

    """

    def __init__(
        self,
        project_root: Path,
        required_ids: set[str] | None = None,
        interval: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
        *,
        read_desk: DeskReader,
    ) -> None:
        self._root = project_root
        self._required = required_ids or set()
        self._read_desk = read_desk
        self._interval = interval
        self._clock = clock
        self._lock = threading.Lock()
        self._content: Content | None = None
        self._signature: tuple[tuple[str, int, int], ...] = ()
        self._checked_at = float("-inf")

    def _watched(self) -> tuple[tuple[str, int, int], ...]:
        paths = sorted((self._root / "locales").rglob("*.yml"))
        paths.append(self._root / "desk.yml")
        signature = []
        for path in paths:
            try:
                stat = path.stat()
            except OSError:
                continue
            signature.append((str(path), stat.st_mtime_ns, stat.st_size))
        return tuple(signature)

    def get(self) -> Content:
        """The current content; raises ContentError only if no good content was ever loaded."""
        now = self._clock()
        if self._content is not None and now - self._checked_at < self._interval:
            return self._content
        with self._lock:
            if self._content is None or now - self._checked_at >= self._interval:
                self._checked_at = now
                signature = self._watched()
                if self._content is None or signature != self._signature:
                    self._reload(signature)
        assert self._content is not None  # _reload raised otherwise
        return self._content

    @property
    def required_ids(self) -> set[str]:
        """The answer ids every language must have."""
        return set(self._required)

    def load(self, today: dt.date | None = None) -> LoadResult:
        """Load and check the files now, with every problem; what is served does not change.

        ``make content-check`` uses it, with the same files and rules as the running assistant.
        """
        return load_content(self._root, self._required, today, read_desk=self._read_desk)

    def _reload(self, signature: tuple[tuple[str, int, int], ...]) -> None:
        result = self.load()
        if result.content is None:
            for problem in result.errors:
                logger.error("Answer files: %s", problem)
            if self._content is None:
                raise ContentError(result)
            logger.error("Answer files not reloaded: still serving the last good version")
            self._signature = signature  # report once per broken edit, not on every message
            return
        first = self._content is None
        self._content = result.content
        self._signature = signature
        logger.info("Answer files %s", "loaded" if first else "reloaded")
