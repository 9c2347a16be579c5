"""Staff sign-in for the console: passwords (scrypt), sessions, CSRF tokens, lockout.

- Passwords are hashed with scrypt (Python's standard library; n=2**14, r=8, p=1, a random
  16-byte salt per password) and compared in constant time.
- After ``MAX_FAILURES`` wrong passwords in a row an account is locked for ``LOCKOUT``
  seconds, even for the right password; the error never says whether the name exists.
- A session is a random 32-byte token in an HttpOnly, Secure, SameSite=Strict cookie; only its
  SHA-256 is stored. It ends after ``IDLE`` seconds without use or ``LIFETIME`` in all, and at
  logout. Each session has its own CSRF token, required in ``X-CSRF-Token`` on every request
  that changes something.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from bot import storage
from bot.helpdesk.staff import STAFF, Staff
from bot.helpdesk.store import metadata

SCRYPT = {"n": 2**14, "r": 8, "p": 1}
MIN_PASSWORD = 12
MAX_FAILURES = 5
LOCKOUT = 15 * 60.0
IDLE = 60 * 60.0
LIFETIME = 12 * 60 * 60.0
COOKIE = "wegwijs_desk"

SESSIONS = sa.Table(
    "desk_sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("staff", sa.String(64), nullable=False, index=True),
    sa.Column("csrf", sa.String(64), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("seen_at", sa.Float, nullable=False),
)
LOGINS = sa.Table(
    "desk_logins",
    metadata,
    sa.Column("staff", sa.String(64), primary_key=True),
    sa.Column("password_hash", sa.String(200)),
    sa.Column("failures", sa.Integer, nullable=False, default=0),
    sa.Column("locked_until", sa.Float),
)


def hash_password(password: str) -> str:
    """``scrypt$n$r$p$salt$hash`` (base64) for a new password."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **SCRYPT)
    encode = base64.b64encode
    return (
        "scrypt${n}${r}${p}$".format(**SCRYPT)
        + f"{encode(salt).decode()}${encode(digest).decode()}"
    )


def password_matches(password: str, stored: str | None) -> bool:
    """True when ``password`` gives ``stored``; False for anything malformed."""
    try:
        kind, n, r, p, salt, digest = (stored or "").split("$")
        if kind != "scrypt":
            return False
        computed = hashlib.scrypt(
            password.encode(),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=32,
        )
    except ValueError:
        return False
    return hmac.compare_digest(computed, base64.b64decode(digest))


class SignInError(Exception):
    """Sign-in refused; the message is safe to show (it never says which part was wrong)."""


@dataclass(frozen=True)
class Session:
    """A signed-in staff member's session."""

    token: str
    csrf: str
    staff: Staff


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Authenticator:
    """Passwords, lockout and sessions on the assistant's database."""

    def __init__(self, engine: sa.engine.Engine, clock: Callable[[], float] = time.time) -> None:
        self.engine = engine
        self.clock = clock
        storage.create_tables(metadata, engine)

    def set_password(self, name: str, password: str) -> None:
        """Give an existing account a (new) password; unlocks it."""
        if len(password) < MIN_PASSWORD:
            raise ValueError(f"a password needs at least {MIN_PASSWORD} characters")
        with self.engine.begin() as db:
            if db.execute(sa.select(STAFF.c.name).where(STAFF.c.name == name)).first() is None:
                raise ValueError(f"there is no account '{name}'")
            db.execute(sa.delete(LOGINS).where(LOGINS.c.staff == name))
            db.execute(
                sa.insert(LOGINS).values(
                    staff=name, password_hash=hash_password(password), failures=0
                )
            )

    def sign_in(self, name: str, password: str) -> Session:
        """A new session for the right name and password; SignInError otherwise."""
        now = self.clock()
        refused: str | None = None  # raised after the transaction, so that failures count
        with self.engine.begin() as db:
            row = db.execute(
                sa.select(
                    STAFF.c.role, LOGINS.c.password_hash, LOGINS.c.failures, LOGINS.c.locked_until
                )
                .join(LOGINS, LOGINS.c.staff == STAFF.c.name)
                .where(STAFF.c.name == name)
            ).first()
            if row is None:
                password_matches(password, hash_password("not-an-account"))  # same time taken
                refused = "Wrong name or password."
            elif row.locked_until and row.locked_until > now:
                refused = "Too many wrong passwords: try again in 15 minutes."
            elif not password_matches(password, row.password_hash):
                failures = (row.failures or 0) + 1
                locked = now + LOCKOUT if failures >= MAX_FAILURES else None
                db.execute(
                    sa.update(LOGINS)
                    .where(LOGINS.c.staff == name)
                    .values(failures=0 if locked else failures, locked_until=locked)
                )
                refused = "Wrong name or password."
            else:
                db.execute(
                    sa.update(LOGINS)
                    .where(LOGINS.c.staff == name)
                    .values(failures=0, locked_until=None)
                )
                token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
                db.execute(
                    sa.insert(SESSIONS).values(
                        token_hash=_digest(token),
                        staff=name,
                        csrf=csrf,
                        created_at=now,
                        seen_at=now,
                    )
                )
        if refused is not None or row is None:
            raise SignInError(refused or "Wrong name or password.")
        return Session(token, csrf, Staff(name, row.role))

    def session(self, token: str) -> Session | None:
        """The live session of a cookie's token (refreshing its idle time), or None."""
        if not token or len(token) > 200:
            return None
        now = self.clock()
        with self.engine.begin() as db:
            row = db.execute(
                sa.select(
                    SESSIONS.c.staff,
                    SESSIONS.c.csrf,
                    SESSIONS.c.created_at,
                    SESSIONS.c.seen_at,
                    STAFF.c.role,
                )
                .join(STAFF, STAFF.c.name == SESSIONS.c.staff)
                .where(SESSIONS.c.token_hash == _digest(token))
            ).first()
            if row is None:
                return None
            if now - row.seen_at > IDLE or now - row.created_at > LIFETIME:
                db.execute(sa.delete(SESSIONS).where(SESSIONS.c.token_hash == _digest(token)))
                return None
            db.execute(
                sa.update(SESSIONS)
                .where(SESSIONS.c.token_hash == _digest(token))
                .values(seen_at=now)
            )
        return Session(token, row.csrf, Staff(row.staff, row.role))

    def sign_out(self, token: str) -> None:
        """End a session."""
        with self.engine.begin() as db:
            db.execute(sa.delete(SESSIONS).where(SESSIONS.c.token_hash == _digest(token)))

    def sign_out_everywhere(self, name: str) -> None:
        """End every session of an account (e.g. when it is removed or its password changes)."""
        with self.engine.begin() as db:
            db.execute(sa.delete(SESSIONS).where(SESSIONS.c.staff == name))


def csrf_ok(session: Session, header: str | None) -> bool:
    """True when a state-changing request carries the session's CSRF token."""
    return bool(header) and hmac.compare_digest(session.csrf.encode(), str(header).encode())
