"""What the editors' view counts and keeps (SQLAlchemy, the assistant's database).

Two tables, with two lifetimes:

- ``editor_daily``: anonymous counts per day (Amsterdam), figure, key (an answer id, a kind of
  not-understood message) and language — no conversation, no text. They are kept after the
  retention purge has deleted the conversations, so the editors' figures reach back further
  than 30 days.
- ``editor_unanswered``: the masked text (``bot/editors/masking.py``) of each message the
  assistant did not understand, with its language, the model's best guess and its
  conversation id. The id is there only so that the text is deleted with its conversation:
  when the user asks (``bot/privacy/erasure.py``) and by the retention purge. It is never shown.

The answer action writes both (``actions/answer.py``); the editors' view
(``bot/editors/api.py``) and ``python -m bot report`` read them.
"""

from __future__ import annotations

import atexit
import datetime as dt
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from bot import storage
from bot.desk.hours import DESK_ZONE

metadata = sa.MetaData()

# What a not-understood message was: the classifier was unsure ("did you mean"), the message
# was about something else, or it said what the user looked for after a 👎.
KINDS = ("not_understood", "out_of_scope", "not_helpful")
# The daily figures: per answer (key: the answer id) …
GIVEN = "given"
HELPFUL = "helpful"
NOT_HELPFUL = "not_helpful"
THEN_PERSON = "then_person"  # the next message asked for a person
THEN_NOT_UNDERSTOOD = "then_not_understood"  # the next message was not understood
# … and per kind of not-understood message (key: one of KINDS)
NOT_UNDERSTOOD = "not_understood"
MAX_TEXT = 1000  # characters of a message kept for the editors
FLUSH_SECONDS = 1.0  # counts are written at most this long after they happen

DAILY = sa.Table(
    "editor_daily",
    metadata,
    sa.Column("day", sa.String(10), primary_key=True),  # 2026-12-03, in Amsterdam
    sa.Column("figure", sa.String(24), primary_key=True),
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("language", sa.String(8), primary_key=True),
    sa.Column("count", sa.Integer, nullable=False),
)

UNANSWERED = sa.Table(
    "editor_unanswered",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("conversation_id", sa.String(255), nullable=False, index=True),  # for erasure only
    sa.Column("at", sa.Float, nullable=False, index=True),
    sa.Column("language", sa.String(8), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("text", sa.Text, nullable=False),  # masked
    sa.Column("guess", sa.String(64)),  # the intent the model thought most likely
    sa.Column("answer_id", sa.String(64)),  # not_helpful: the answer that did not help
    sa.Column("picked", sa.Boolean, nullable=False, default=False),  # chose a "did you mean"
)


@dataclass(frozen=True)
class Unanswered:
    """One not-understood message, as the editors see it (masked, no conversation)."""

    id: int
    at: float
    language: str
    kind: str
    text: str
    guess: str | None
    answer_id: str | None

    @property
    def day(self) -> str:
        """The day it was written, in Amsterdam."""
        return day_of(self.at)


@dataclass(frozen=True)
class Count:
    """One daily figure."""

    day: str
    figure: str
    key: str
    language: str
    count: int


def day_of(at: float) -> str:
    """The day (Amsterdam) of a time in seconds since the epoch: ``2026-12-03``."""
    return dt.datetime.fromtimestamp(at, DESK_ZONE).date().isoformat()


def day_start(day: str) -> float:
    """The first second of a day in Amsterdam."""
    start = dt.datetime.combine(dt.date.fromisoformat(day), dt.time(), tzinfo=DESK_ZONE)
    return start.timestamp()


class EditorStore:
    """The editors' figures and not-understood messages on one database."""

    def __init__(self, engine: sa.engine.Engine, clock: Callable[[], float] = time.time) -> None:
        self.engine = engine
        self.clock = clock
        self._lock = threading.Lock()
        self._pending: Counter[tuple[str, str, str, str]] = Counter()
        self._timer: threading.Timer | None = None
        storage.create_tables(metadata, engine)
        atexit.register(self.flush)

    # --- written by the answer action ----------------------------------------------------

    def count(self, figure: str, key: str, language: str, n: int = 1) -> None:
        """Add ``n`` to today's figure: kept in memory, written within ``FLUSH_SECONDS``.

        One transaction a second for all turns instead of one per turn, so that the figures
        cost the conversations nothing under load (a crash loses at most a second of counts).
        """
        with self._lock:
            self._pending[day_of(self.clock()), figure, key, language] += n
            if self._timer is None:
                self._timer = threading.Timer(FLUSH_SECONDS, self.flush)
                self._timer.daemon = True
                self._timer.start()

    def flush(self) -> None:
        """Write the counts kept in memory (also at exit)."""
        with self._lock:
            pending, self._pending = self._pending, Counter()
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
        for (day, figure, key, language), n in sorted(pending.items()):
            self._add(day, figure, key, language, n)

    def _add(self, day: str, figure: str, key: str, language: str, n: int) -> None:
        where = {"day": day, "figure": figure, "key": key, "language": language}
        match = sa.and_(*(DAILY.c[column] == value for column, value in where.items()))
        add = sa.update(DAILY).where(match).values(count=DAILY.c.count + n)
        for _ in range(3):  # two servers may create the same row at once: the loser adds
            try:
                with self.engine.begin() as db:
                    if not db.execute(add).rowcount:
                        db.execute(sa.insert(DAILY).values(**where, count=n))
                return
            except sa.exc.IntegrityError:
                continue

    def not_understood(
        self,
        conversation_id: str,
        language: str,
        text: str,
        kind: str,
        guess: str | None = None,
        answer_id: str | None = None,
    ) -> None:
        """Keep a message the assistant did not understand (already masked) and count it."""
        if kind not in KINDS:
            raise ValueError(f"kind is one of {', '.join(KINDS)}")
        with self.engine.begin() as db:
            db.execute(
                sa.insert(UNANSWERED).values(
                    conversation_id=conversation_id,
                    at=self.clock(),
                    language=language,
                    kind=kind,
                    text=text[:MAX_TEXT],
                    guess=guess,
                    answer_id=answer_id,
                    picked=False,
                )
            )
        self.count(NOT_UNDERSTOOD, kind, language)

    def picked(self, conversation_id: str) -> None:
        """The user chose one of the "did you mean" topics: their message was understood."""
        with self.engine.begin() as db:
            latest = db.execute(
                sa.select(sa.func.max(UNANSWERED.c.id)).where(
                    UNANSWERED.c.conversation_id == conversation_id,
                    UNANSWERED.c.kind == "not_understood",
                )
            ).scalar()
            if latest is not None:
                chosen = sa.update(UNANSWERED).where(UNANSWERED.c.id == latest)
                db.execute(chosen.values(picked=True))

    # --- read by the editors' view and the report ----------------------------------------

    def unanswered(self, since: float, ids: Iterable[int] | None = None) -> list[Unanswered]:
        """Not-understood messages since ``since`` (oldest first), without those picked."""
        query = sa.select(
            UNANSWERED.c.id,
            UNANSWERED.c.at,
            UNANSWERED.c.language,
            UNANSWERED.c.kind,
            UNANSWERED.c.text,
            UNANSWERED.c.guess,
            UNANSWERED.c.answer_id,
        ).where(UNANSWERED.c.at >= since, UNANSWERED.c.picked.is_(False))
        if ids is not None:
            query = query.where(UNANSWERED.c.id.in_(list(ids)))
        with self.engine.connect() as db:
            rows = db.execute(query.order_by(UNANSWERED.c.at, UNANSWERED.c.id))
            return [Unanswered(**row._mapping) for row in rows]

    def counts(self, since_day: str) -> list[Count]:
        """Every daily figure from ``since_day`` on (this process's pending ones included)."""
        self.flush()
        query = sa.select(DAILY).where(DAILY.c.day >= since_day).order_by(DAILY.c.day)
        with self.engine.connect() as db:
            return [Count(**row._mapping) for row in db.execute(query)]
