"""Desk staff accounts and their API tokens (``python -m bot staff add NAME``).

Console passwords, sessions and the sign-in limits: ``bot/desk/auth.py``. The tables of an
account's password hash (``desk_logins``) and console sessions (``desk_sessions``) are declared
here, so that removing an account removes, in one transaction, its token, its password hash and
every session: a removed account can neither use its API token nor stay signed in.

A token is 32 random bytes, shown once when the account is made; only its SHA-256 is stored
(a token has far more entropy than a password, so a fast hash is enough to make a stolen
table useless). Roles: ``staff`` (cases), ``editor`` (the editors' view: what the assistant
did not understand, how its answers do; no case and no conversation) and ``admin`` (all of
it, the accounts and the audit log).
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import re
import secrets
import time
from dataclasses import dataclass

import sqlalchemy as sa

from bot import storage
from bot.desk.store import metadata

logger = logging.getLogger(__name__)

ADMIN = "admin"
EDITOR = "editor"
ROLES = ("staff", EDITOR, ADMIN)
DESK_ROLES = ("staff", ADMIN)  # the cases and their conversations
EDITOR_ROLES = (EDITOR, ADMIN)  # the editors' view
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,62}$")

STAFF = sa.Table(
    "desk_staff",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", sa.Float, nullable=False),
)
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
    # No longer used (the failures are counted in ``desk_sign_in_failures``, auth.py); kept
    # because databases made before have these columns, ``failures`` NOT NULL.
    sa.Column("failures", sa.Integer, nullable=False, default=0),
    sa.Column("locked_until", sa.Float),
)


@dataclass(frozen=True)
class Staff:
    """A signed-in staff member."""

    name: str
    role: str

    @property
    def is_admin(self) -> bool:
        """Admins also see the audit log and manage accounts."""
        return self.role == ADMIN

    @property
    def is_editor(self) -> bool:
        """Editors and admins see the editors' view."""
        return self.role in EDITOR_ROLES


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class StaffStore:
    """Staff accounts in the assistant's database."""

    def __init__(self, engine: sa.engine.Engine) -> None:
        self.engine = engine
        storage.create_tables(metadata, engine)

    def add(self, name: str, role: str = "staff") -> str:
        """Create an account; returns its token (shown once, never stored)."""
        if not _NAME.match(name):
            raise ValueError("a name is 2-63 lower-case letters, digits, '.', '_' or '-'")
        if role not in ROLES:
            raise ValueError(f"the role is one of {', '.join(ROLES)}")
        token = secrets.token_urlsafe(32)
        try:
            with self.engine.begin() as db:
                db.execute(
                    sa.insert(STAFF).values(
                        name=name, role=role, token_hash=_hash(token), created_at=time.time()
                    )
                )
        except sa.exc.IntegrityError:
            raise ValueError(f"there is already an account '{name}'") from None
        return token

    def remove(self, name: str) -> bool:
        """Delete an account: its API token, password hash and sessions; False when none.

        All in one transaction, so there is no moment when a session outlives its account.
        """
        with self.engine.begin() as db:
            db.execute(sa.delete(SESSIONS).where(SESSIONS.c.staff == name))
            db.execute(sa.delete(LOGINS).where(LOGINS.c.staff == name))
            return bool(db.execute(sa.delete(STAFF).where(STAFF.c.name == name)).rowcount)

    def names(self) -> list[tuple[str, str]]:
        """Every account's name and role."""
        with self.engine.connect() as db:
            rows = db.execute(sa.select(STAFF.c.name, STAFF.c.role).order_by(STAFF.c.name))
            return [(row.name, row.role) for row in rows]

    def authenticate(self, token: str) -> Staff | None:
        """The staff member a token belongs to, or None."""
        if not token or len(token) > 200:
            return None
        with self.engine.connect() as db:
            row = db.execute(
                sa.select(STAFF.c.name, STAFF.c.role).where(STAFF.c.token_hash == _hash(token))
            ).first()
        return None if row is None else Staff(row.name, row.role)


def _read_password(from_stdin: bool) -> str:
    """The new password: one line of stdin (scripts), else asked twice on the terminal."""
    import getpass
    import sys

    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password for the console (at least 12 characters): ")
    if getpass.getpass("Again: ") != first:
        raise ValueError("the two passwords differ")
    return first


def main(argv: list[str] | None = None) -> int:
    """``python -m bot staff add|password|remove|list``."""
    from bot.desk.auth import Authenticator
    from bot.settings import Settings

    parser = argparse.ArgumentParser(prog="python -m bot staff", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="create an account: a console password, an API token")
    add.add_argument("name")
    kind = add.add_mutually_exclusive_group()
    kind.add_argument("--admin", action="store_true", help="manages accounts, reads the audit log")
    kind.add_argument(
        "--editor", action="store_true", help="sees the editors' view only (no cases)"
    )
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    password = commands.add_parser("password", help="set a new console password")
    password.add_argument("name")
    password.add_argument("--password-stdin", action="store_true")
    remove = commands.add_parser("remove", help="delete an account")
    remove.add_argument("name")
    commands.add_parser("list", help="list the accounts")
    args = parser.parse_args(argv)
    engine = storage.engine(Settings.from_env().database_url)
    store, auth = StaffStore(engine), Authenticator(engine)
    try:
        if args.command == "add":
            role = ADMIN if args.admin else EDITOR if args.editor else "staff"
            token = store.add(args.name, role)
            try:
                auth.set_password(args.name, _read_password(args.password_stdin))
            except ValueError:
                store.remove(args.name)
                raise
            logger.info(
                "Account '%s' created. Its API token for scripts (shown only now):", args.name
            )
            print(token)  # noqa: T201 - the one place the token is shown, on stdout for scripts
        elif args.command == "password":
            auth.set_password(args.name, _read_password(args.password_stdin))  # ends sessions
            logger.info("Password of '%s' changed; its sessions ended.", args.name)
        elif args.command == "remove":
            if not store.remove(args.name):  # with its password hash, sessions and token
                raise ValueError(f"there is no account '{args.name}'")
            logger.info("Account '%s' removed, with its password, sessions and token.", args.name)
        else:
            for name, role in store.names():
                print(f"{name}\t{role}")  # noqa: T201
    except ValueError as error:
        logger.error("%s", error)
        return 2
    return 0
