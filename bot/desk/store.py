"""Cases handed to the desk, the desk's messages and notes, and the audit log (SQLAlchemy).

The tables live in the assistant's database beside Rasa's conversation events, so SQLite by
default and PostgreSQL to scale out. Times are seconds since the epoch, in UTC, like Rasa's.
A claim is one conditional UPDATE, so of two staff members claiming at once exactly one wins,
on any database.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from bot import storage

STATUSES = ("waiting", "claimed", "closed")
OUTCOMES = ("answered", "referred", "no_reply", "handed_back")
# what staff can choose; "erased" is set when the user deletes their data
OPEN = ("waiting", "claimed")

metadata = sa.MetaData()

CASES = sa.Table(
    "desk_cases",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("conversation_id", sa.String(255), index=True),  # None once erased
    sa.Column("channel", sa.String(32), nullable=False),
    sa.Column("language", sa.String(8), nullable=False),
    sa.Column("reason", sa.String(32), nullable=False),
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("claimed_at", sa.Float),
    sa.Column("closed_at", sa.Float),
    sa.Column("staff", sa.String(64)),
    sa.Column("outcome", sa.String(32)),
    sa.Column("description", sa.Text),  # the user's own words (personal)
    sa.Column("topics", sa.Text, nullable=False, default="[]"),  # JSON list of answer ids
    sa.Column("contact", sa.String(16), nullable=False),  # "chat" or "phone"
    sa.Column("phone", sa.String(32)),  # only with contact "phone" (personal)
)

MESSAGES = sa.Table(
    "desk_messages",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("case_id", sa.Integer, sa.ForeignKey("desk_cases.id"), nullable=False, index=True),
    sa.Column("at", sa.Float, nullable=False),
    sa.Column("staff", sa.String(64), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),  # "message" (to the user) or "note"
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("delivery", sa.String(16)),  # messages: "sent", "queued" (web), "failed"
    sa.Column("error", sa.String(200)),
)

AUDIT = sa.Table(
    "desk_audit",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.Float, nullable=False),
    sa.Column("staff", sa.String(64), nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("case_id", sa.Integer),
    sa.Column("detail", sa.String(200)),  # never message texts or phone numbers
)


class CaseError(Exception):
    """A staff action that cannot be done (e.g. the case is closed); the message says why."""


class CaseNotFound(CaseError):
    """There is no case with that id."""


@dataclass(frozen=True)
class Case:
    """One conversation handed to the desk."""

    id: int
    conversation_id: str | None
    channel: str
    language: str
    reason: str
    status: str
    created_at: float
    contact: str
    claimed_at: float | None = None
    closed_at: float | None = None
    staff: str | None = None
    outcome: str | None = None
    description: str | None = None
    topics: tuple[str, ...] = ()
    phone: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """For the staff API."""
        return {
            "id": self.id,
            "conversation_id": self.conversation_id,
            "channel": self.channel,
            "language": self.language,
            "reason": self.reason,
            "status": self.status,
            "created_at": self.created_at,
            "claimed_at": self.claimed_at,
            "closed_at": self.closed_at,
            "staff": self.staff,
            "outcome": self.outcome,
            "description": self.description,
            "topics": list(self.topics),
            "contact": self.contact,
            "phone": self.phone,
        }


@dataclass(frozen=True)
class NewCase:
    """What the handoff form collected."""

    conversation_id: str
    channel: str
    language: str
    reason: str
    description: str
    contact: str = "chat"
    phone: str | None = None
    topics: Sequence[str] = field(default_factory=tuple)


def _case(row: Any) -> Case:
    values = dict(row._mapping)
    values["topics"] = tuple(json.loads(values.get("topics") or "[]"))
    return Case(**values)


class CaseStore:
    """The desk's cases on one database."""

    def __init__(self, engine: sa.engine.Engine, clock: Callable[[], float] = time.time) -> None:
        self.engine = engine
        self.clock = clock
        storage.create_tables(metadata, engine)

    # --- the assistant's side -------------------------------------------------------------

    def open_case(self, new: NewCase) -> Case:
        """Create a waiting case, or return the conversation's case that is still open."""
        with self.engine.begin() as db:
            existing = self._open_for(db, new.conversation_id)
            if existing is not None:
                return existing
            result = db.execute(
                sa.insert(CASES).values(
                    conversation_id=new.conversation_id,
                    channel=new.channel,
                    language=new.language,
                    reason=new.reason,
                    status="waiting",
                    created_at=self.clock(),
                    description=new.description,
                    topics=json.dumps(list(new.topics)),
                    contact=new.contact,
                    phone=new.phone,
                )
            )
            case_id = int(result.inserted_primary_key[0])
            return _case(db.execute(sa.select(CASES).where(CASES.c.id == case_id)).one())

    def open_case_of(self, conversation_id: str) -> Case | None:
        """The conversation's waiting or claimed case, if any."""
        with self.engine.connect() as db:
            return self._open_for(db, conversation_id)

    def _open_for(self, db: sa.engine.Connection, conversation_id: str) -> Case | None:
        row = db.execute(
            sa.select(CASES)
            .where(CASES.c.conversation_id == conversation_id, CASES.c.status.in_(OPEN))
            .order_by(CASES.c.id.desc())
        ).first()
        return None if row is None else _case(row)

    def place_in_queue(self, case: Case) -> int:
        """The case's place among the waiting cases: 1 when it has waited longest."""
        with self.engine.connect() as db:
            ahead = db.execute(
                sa.select(sa.func.count())
                .select_from(CASES)
                .where(CASES.c.status == "waiting", CASES.c.id < case.id)
            ).scalar_one()
        return int(ahead) + 1

    # --- the desk's side ------------------------------------------------------------------

    def get(self, case_id: int) -> Case:
        """One case; CaseError when there is none with that id."""
        with self.engine.connect() as db:
            row = db.execute(sa.select(CASES).where(CASES.c.id == case_id)).first()
        if row is None:
            raise CaseNotFound(f"there is no case {case_id}")
        return _case(row)

    def queue(self) -> list[Case]:
        """Waiting cases, longest waiting first, then the claimed ones."""
        with self.engine.connect() as db:
            rows = db.execute(
                sa.select(CASES)
                .where(CASES.c.status.in_(OPEN))
                .order_by(CASES.c.status.desc(), CASES.c.created_at, CASES.c.id)
            ).all()
        return [_case(row) for row in rows]

    def closed_cases(
        self,
        since: float | None = None,
        until: float | None = None,
        outcome: str | None = None,
        limit: int = 200,
    ) -> list[Case]:
        """Closed cases, newest first: closed between ``since`` and ``until``, with ``outcome``."""
        query = sa.select(CASES).where(CASES.c.status == "closed")
        if since is not None:
            query = query.where(CASES.c.closed_at >= since)
        if until is not None:
            query = query.where(CASES.c.closed_at < until)
        if outcome is not None:
            query = query.where(CASES.c.outcome == outcome)
        with self.engine.connect() as db:
            rows = db.execute(query.order_by(CASES.c.closed_at.desc()).limit(limit)).all()
        return [_case(row) for row in rows]

    def latest_id(self) -> int:
        """The id of the newest case (0 when there is none)."""
        with self.engine.connect() as db:
            return int(db.execute(sa.select(sa.func.max(CASES.c.id))).scalar() or 0)

    def cases_since(self, after_id: int) -> list[Case]:
        """Cases created after ``after_id`` (for the live notification stream)."""
        with self.engine.connect() as db:
            rows = db.execute(
                sa.select(CASES).where(CASES.c.id > after_id).order_by(CASES.c.id)
            ).all()
        return [_case(row) for row in rows]

    def claim(self, case_id: int, staff: str) -> Case:
        """Take a waiting case; of two staff members claiming at once, one wins."""
        with self.engine.begin() as db:
            claimed = db.execute(
                sa.update(CASES)
                .where(CASES.c.id == case_id, CASES.c.status == "waiting")
                .values(status="claimed", staff=staff, claimed_at=self.clock())
            ).rowcount
            if claimed != 1:
                row = db.execute(sa.select(CASES).where(CASES.c.id == case_id)).first()
                if row is None:
                    raise CaseNotFound(f"there is no case {case_id}")
                holder = row._mapping["staff"]
                raise CaseError(f"case {case_id} is {row._mapping['status']} (by {holder})")
            self._audit(db, staff, "claim", case_id)
        return self.get(case_id)

    def unclaim(self, case_id: int, staff: str) -> Case:
        """Put a claimed case back in the queue."""
        with self.engine.begin() as db:
            done = db.execute(
                sa.update(CASES)
                .where(CASES.c.id == case_id, CASES.c.status == "claimed")
                .values(status="waiting", staff=None, claimed_at=None)
            ).rowcount
            if done != 1:
                raise CaseError(f"case {case_id} is not claimed")
            self._audit(db, staff, "unclaim", case_id)
        return self.get(case_id)

    def close(self, case_id: int, staff: str, outcome: str) -> Case:
        """Close an open case with an outcome (the bot then answers the user again)."""
        if outcome not in OUTCOMES:
            raise CaseError(f"outcome must be one of {', '.join(OUTCOMES)}")
        with self.engine.begin() as db:
            done = db.execute(
                sa.update(CASES)
                .where(CASES.c.id == case_id, CASES.c.status.in_(OPEN))
                .values(status="closed", closed_at=self.clock(), outcome=outcome)
            ).rowcount
            if done != 1:
                raise CaseError(f"case {case_id} is not open")
            self._audit(db, staff, "close", case_id, outcome)
        return self.get(case_id)

    def add_message(
        self,
        case_id: int,
        staff: str,
        kind: str,
        text: str,
        delivery: str | None = None,
        error: str | None = None,
    ) -> int:
        """Record a message to the user or an internal note; returns its id."""
        with self.engine.begin() as db:
            result = db.execute(
                sa.insert(MESSAGES).values(
                    case_id=case_id,
                    at=self.clock(),
                    staff=staff,
                    kind=kind,
                    text=text,
                    delivery=delivery,
                    error=error,
                )
            )
            self._audit(db, staff, kind, case_id, delivery)
            return int(result.inserted_primary_key[0])

    def messages(self, case_id: int) -> list[dict[str, Any]]:
        """The case's staff messages and notes, oldest first."""
        with self.engine.connect() as db:
            rows = db.execute(
                sa.select(MESSAGES).where(MESSAGES.c.case_id == case_id).order_by(MESSAGES.c.id)
            ).all()
        return [dict(row._mapping) for row in rows]

    def messages_for(self, conversation_id: str, after_id: int) -> list[dict[str, Any]]:
        """Staff messages to one conversation after ``after_id`` (the web chat polls these)."""
        with self.engine.connect() as db:
            rows = db.execute(
                sa.select(MESSAGES.c.id, MESSAGES.c.text, MESSAGES.c.at)
                .join(CASES, CASES.c.id == MESSAGES.c.case_id)
                .where(
                    CASES.c.conversation_id == conversation_id,
                    MESSAGES.c.kind == "message",
                    MESSAGES.c.id > after_id,
                )
                .order_by(MESSAGES.c.id)
            ).all()
        return [dict(row._mapping) for row in rows]

    def audit(self, staff: str, action: str, case_id: int | None, detail: str | None) -> None:
        """Record a staff action that changes no case (e.g. reading a transcript)."""
        with self.engine.begin() as db:
            self._audit(db, staff, action, case_id, detail)

    def audit_log(self, limit: int = 200) -> list[dict[str, Any]]:
        """The latest staff actions, newest first."""
        with self.engine.connect() as db:
            rows = db.execute(sa.select(AUDIT).order_by(AUDIT.c.id.desc()).limit(limit)).all()
        return [dict(row._mapping) for row in rows]

    def _audit(
        self,
        db: sa.engine.Connection,
        staff: str,
        action: str,
        case_id: int | None,
        detail: str | None = None,
    ) -> None:
        db.execute(
            sa.insert(AUDIT).values(
                at=self.clock(), staff=staff, action=action, case_id=case_id, detail=detail
            )
        )
