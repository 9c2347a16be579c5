"""Desk staff accounts and their API tokens (``python -m bot staff add NAME``).

A token is 32 random bytes, shown once when the account is made; only its SHA-256 is stored
(a token has far more entropy than a password, so a fast hash is enough to make a stolen
table useless). Roles: ``staff`` (cases) and ``admin`` (also the audit log).
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

from bot.helpdesk.store import metadata

logger = logging.getLogger(__name__)

ROLES = ("staff", "admin")
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,62}$")

STAFF = sa.Table(
    "desk_staff",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", sa.Float, nullable=False),
)


@dataclass(frozen=True)
class Staff:
    """A signed-in staff member."""

    name: str
    role: str

    @property
    def is_admin(self) -> bool:
        """Admins also see the audit log and manage accounts."""
        return self.role == "admin"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class StaffStore:
    """Staff accounts in the assistant's database."""

    def __init__(self, engine: sa.engine.Engine) -> None:
        self.engine = engine
        metadata.create_all(engine)

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
        """Delete an account; False when there was none."""
        with self.engine.begin() as db:
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


def main(argv: list[str] | None = None) -> int:
    """``python -m bot staff add|remove|list``."""
    from bot import storage
    from bot.settings import Settings

    parser = argparse.ArgumentParser(prog="python -m bot staff", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="create an account and print its API token once")
    add.add_argument("name")
    add.add_argument("--admin", action="store_true", help="may read the audit log")
    remove = commands.add_parser("remove", help="delete an account")
    remove.add_argument("name")
    commands.add_parser("list", help="list the accounts")
    args = parser.parse_args(argv)
    store = StaffStore(storage.engine(Settings.from_env().database_url))
    if args.command == "add":
        try:
            token = store.add(args.name, "admin" if args.admin else "staff")
        except ValueError as error:
            logger.error("%s", error)
            return 2
        logger.info("Account '%s' created. Its API token (shown only now):", args.name)
        print(token)  # noqa: T201 - the one place the token is shown, on stdout for scripts
        return 0
    if args.command == "remove":
        if store.remove(args.name):
            logger.info("Account '%s' removed.", args.name)
            return 0
        logger.error("There is no account '%s'.", args.name)
        return 1
    for name, role in store.names():
        print(f"{name}\t{role}")  # noqa: T201
    return 0
