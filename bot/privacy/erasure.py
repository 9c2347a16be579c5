"""Delete what is stored about conversations: on the user's request, and after the retention time.

Every table that holds personal data is listed in ``CONVERSATION_TABLES`` with the column that
names the conversation; a table not created yet (e.g. WhatsApp never used) is skipped.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from bot.desk.store import CASES, MESSAGES
from bot.storage import EVENTS, has_table

logger = logging.getLogger(__name__)

# The slot the answer action sets when the user confirmed "delete my data".
ERASE_SLOT = "erase_conversation"
SECONDS_PER_DAY = 86_400
BATCH = 500
# table → the column with the conversation's id (a Telegram chat, a phone number, a web id).
CONVERSATION_TABLES = {
    "events": "sender_id",  # Rasa's tracker store: every message and reply
    "whatsapp_last_inbound": "conversation_id",  # the 24-hour window
    "editor_unanswered": "conversation_id",  # not-understood messages (masked) for editors
}
# Tables whose rows are deleted once older than the retention time, whatever the conversation
# (→ the column with the time); the editors' daily counts (editor_daily) are anonymous and kept.
TIMED_TABLES = {"whatsapp_last_inbound": "at", "editor_unanswered": "at"}


def _table(name: str) -> sa.sql.TableClause:
    return sa.table(name, sa.column(CONVERSATION_TABLES[name]))


def _batches(items: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), BATCH):
        yield items[start : start + BATCH]


def _delete(db: sa.engine.Connection, conversation_ids: Iterable[str]) -> int:
    ids = list(conversation_ids)
    deleted = 0
    for name, column in CONVERSATION_TABLES.items():
        if not ids or not has_table(db, name):
            continue
        table = _table(name)
        for batch in _batches(ids):
            deleted += db.execute(sa.delete(table).where(table.c[column].in_(batch))).rowcount
    return deleted


# The desk's cases (bot/desk/store.py) keep anonymous statistics (channel, language,
# reason, topics, times, outcome); what identifies or describes the person goes.


def _anonymise_cases(db: sa.engine.Connection, condition: Any, now: float) -> int:
    """Strip the person from the matching cases (closing open ones); delete their messages."""
    if not has_table(db, "desk_cases"):
        return 0
    ids = [row[0] for row in db.execute(sa.select(CASES.c.id).where(condition))]
    if not ids:
        return 0
    for batch in _batches(ids):
        db.execute(sa.delete(MESSAGES).where(MESSAGES.c.case_id.in_(batch)))
        db.execute(
            sa.update(CASES)
            .where(CASES.c.id.in_(batch), CASES.c.status != "closed")
            .values(status="closed", closed_at=now, outcome="erased")
        )
        db.execute(
            sa.update(CASES)
            .where(CASES.c.id.in_(batch))
            .values(conversation_id=None, description=None, phone=None)
        )
    return len(ids)


def erase_conversation(engine: sa.engine.Engine, conversation_id: str) -> int:
    """Delete everything stored about one conversation, in one transaction; rows changed.

    Its events and WhatsApp window go; its cases keep only anonymous statistics.
    """
    with engine.begin() as db:
        rows = _delete(db, [conversation_id])
        return rows + _anonymise_cases(db, CASES.c.conversation_id == conversation_id, time.time())


@dataclass(frozen=True)
class Purged:
    """What a purge deleted."""

    conversations: int
    rows: int
    cases: int = 0


def purge(
    engine: sa.engine.Engine, now: float, keep_days: float, keep_case_days: float = 90
) -> Purged:
    """Delete conversations silent for ``keep_days``; anonymise cases closed ``keep_case_days`` ago.

    A conversation with an open case at the desk is kept while the case is open.

    Args:
        engine: the database.
        now: the current time (seconds since the epoch; tests pass a fake clock's).
        keep_days: how long a conversation is kept after its last message.
        keep_case_days: how long a closed case keeps its personal details.

    """
    cutoff = now - keep_days * SECONDS_PER_DAY
    with engine.begin() as db:
        stale: list[str] = []
        if has_table(db, "events"):
            last = sa.func.max(EVENTS.c.timestamp)
            query = sa.select(EVENTS.c.sender_id).group_by(EVENTS.c.sender_id).having(last < cutoff)
            stale = [row[0] for row in db.execute(query)]
        if stale and has_table(db, "desk_cases"):
            open_ = sa.select(CASES.c.conversation_id).where(CASES.c.status != "closed")
            stale = sorted(set(stale) - {row[0] for row in db.execute(open_)})
        rows = _delete(db, stale)
        for name, column in TIMED_TABLES.items():  # rows whose conversation is gone already
            if has_table(db, name):
                table = sa.table(name, sa.column(column))
                rows += db.execute(sa.delete(table).where(table.c[column] < cutoff)).rowcount
        old_case = sa.and_(
            CASES.c.status == "closed",
            CASES.c.closed_at < now - keep_case_days * SECONDS_PER_DAY,
            sa.or_(CASES.c.description.is_not(None), CASES.c.conversation_id.is_not(None)),
        )
        cases = _anonymise_cases(db, old_case, now)
    logger.info(
        "Purge: %d conversations older than %g days deleted, %d closed cases anonymised",
        len(stale),
        keep_days,
        cases,
    )
    return Purged(conversations=len(stale), rows=rows, cases=cases)


def main(argv: list[str] | None = None) -> int:
    """``python -m bot purge``: delete conversations older than the retention time."""
    import argparse

    from bot import storage
    from bot.settings import Settings, SettingsError

    parser = argparse.ArgumentParser(
        prog="python -m bot purge",
        description="Delete conversations without a message for longer than the retention time "
        "(WEGWIJS_KEEP_CONVERSATIONS_DAYS, default 30).",
    )
    parser.add_argument("--days", type=float, help="keep this many days instead")
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as error:
        logger.error("%s", error)
        return 2
    days = args.days if args.days is not None else settings.keep_days
    if days <= 0:
        parser.error("--days must be more than 0")
    purge(storage.engine(settings.database_url), time.time(), days, settings.keep_case_days)
    return 0
