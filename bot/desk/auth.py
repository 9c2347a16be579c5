"""Staff sign-in for the console: passwords (scrypt), sign-in limits, sessions, CSRF tokens.

- Passwords are hashed with scrypt (Python's standard library; ``n=2**17, r=8, p=1``, 128 MiB
  of memory, a random 16-byte salt per password) and compared in constant time. A hash made
  with a lower cost (older versions used ``n=2**14``) is replaced at the next successful
  sign-in. At most ``CONCURRENT_HASHES`` hashes are computed at once, so a burst of sign-ins
  cannot take all the memory; callers in async code run :meth:`Authenticator.sign_in` in a
  thread (``asyncio.to_thread``), as the staff API does.
- The same answer and the same work for a name that does not exist: one scrypt of the same
  cost against a random hash, the same message, and its failures are counted like any other,
  so neither the reply, its time nor a lockout tells whether an account exists.
- Wrong passwords are counted in ``desk_sign_in_failures`` (one atomic ``UPDATE … SET failures
  = failures + 1`` per counter; the table keeps only SHA-256 hashes of names and addresses):

  * per account and client address: ``MAX_FAILURES`` within ``WINDOW`` lock that pair for
    ``LOCKOUT``, even for the right password. A colleague at another address is not affected,
    so an attacker who knows the staff names cannot lock the desk out from his own address;
  * per client address, whatever the name: ``ADDRESS_FAILURES`` within ``WINDOW`` refuse that
    address for every account for ``LOCKOUT`` (IPv6 addresses count per /64 network);
  * per account, from any address (softer, against guessing spread over many addresses):
    ``ACCOUNT_FAILURES`` within ``WINDOW`` refuse that name for ``ACCOUNT_LOCKOUT``.

  A refusal never says which limit was reached or whether the name exists.
- A session is a random 32-byte token in an HttpOnly, Secure, SameSite=Strict cookie; only its
  SHA-256 is stored. It ends after ``IDLE`` seconds without use or ``LIFETIME`` in all, at
  logout, when the account's password changes (:meth:`Authenticator.set_password`) and when
  the account is removed (``StaffStore.remove``). Each session has its own CSRF token,
  required in ``X-CSRF-Token`` on every request that changes something.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from bot import storage
from bot.desk.staff import LOGINS, SESSIONS, STAFF, Staff
from bot.desk.store import metadata

logger = logging.getLogger(__name__)

SCRYPT_N = 2**17
SCRYPT = {"n": SCRYPT_N, "r": 8, "p": 1}
SCRYPT_MAXMEM = 256 * 1024 * 1024  # n=2**17, r=8 needs 128 MiB; OpenSSL's default is 32 MiB
CONCURRENT_HASHES = 2
MIN_PASSWORD = 12
MAX_FAILURES = 5  # per account and address
ADDRESS_FAILURES = 20  # per address, any names
ACCOUNT_FAILURES = 50  # per account, any addresses
WINDOW = 15 * 60.0  # failures older than this are forgotten
LOCKOUT = 15 * 60.0
ACCOUNT_LOCKOUT = 5 * 60.0
IDLE = 60 * 60.0
LIFETIME = 12 * 60 * 60.0
COOKIE = "wegwijs_desk"
WRONG = "Wrong name or password."

FAILURES = sa.Table(
    "desk_sign_in_failures",
    metadata,
    # SHA-256 of what is counted ("pair", name, address / "address", … / "account", name),
    # so the table holds no names, no addresses and no password typed into the name field
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("since", sa.Float, nullable=False),  # the first failure of the current window
    sa.Column("locked_until", sa.Float),
)

_hashing = threading.BoundedSemaphore(CONCURRENT_HASHES)


def _too_many(seconds: float) -> str:
    """The refusal while a limit holds (the console has these texts in its catalogs)."""
    return f"Too many wrong passwords: try again in {round(seconds / 60)} minutes."


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    with _hashing:
        return hashlib.scrypt(
            password.encode(), salt=salt, n=n, r=r, p=p, maxmem=SCRYPT_MAXMEM, dklen=32
        )


def _format(n: int, r: int, p: int, salt: bytes, digest: bytes) -> str:
    encode = base64.b64encode
    return f"scrypt${n}${r}${p}${encode(salt).decode()}${encode(digest).decode()}"


def hash_password(password: str, n: int = SCRYPT_N) -> str:
    """``scrypt$n$r$p$salt$hash`` (base64) for a new password.

    Args:
        password: the password.
        n: scrypt's cost; keep the default (tests may lower it to save time).

    """
    salt = secrets.token_bytes(16)
    r, p = SCRYPT["r"], SCRYPT["p"]
    return _format(n, r, p, salt, _scrypt(password, salt, n, r, p))


def _cost(stored: str | None) -> tuple[int, int, int] | None:
    """The ``(n, r, p)`` of a stored hash, or None when it is malformed."""
    try:
        kind, n, r, p, _salt, _digest = (stored or "").split("$")
        return (int(n), int(r), int(p)) if kind == "scrypt" else None
    except ValueError:
        return None


def password_matches(password: str, stored: str | None) -> bool:
    """True when ``password`` gives ``stored``; False for anything malformed."""
    try:
        kind, n, r, p, salt, digest = (stored or "").split("$")
        if kind != "scrypt":
            return False
        computed = _scrypt(password, base64.b64decode(salt), int(n), int(r), int(p))
        expected = base64.b64decode(digest)
    except ValueError:
        return False
    return hmac.compare_digest(computed, expected)


class SignInError(Exception):
    """Sign-in refused; the message is safe to show (it never says which part was wrong).

    Attributes:
        retry_after: seconds until a limit that refused this attempt ends (None: not limited).

    """

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Session:
    """A signed-in staff member's session."""

    token: str
    csrf: str
    staff: Staff


@dataclass(frozen=True)
class _Limit:
    key: str
    most: int
    lockout: float


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _network(address: str) -> str:
    """The address that is counted: an IPv6 address's /64 network (one subscriber's block)."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return address.strip()[:100]
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def _key(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


class Authenticator:
    """Passwords, sign-in limits and sessions on the assistant's database.

    Args:
        engine: the assistant's database.
        clock: seconds since the epoch (tests move it).
        insecure_cost_for_tests: a lower scrypt cost, only so that tests which hash many
            passwords run quickly; never set it in the service.

    """

    def __init__(
        self,
        engine: sa.engine.Engine,
        clock: Callable[[], float] = time.time,
        *,
        insecure_cost_for_tests: int | None = None,
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.cost = insecure_cost_for_tests or SCRYPT_N
        # compared with the password of a name that has no account: the same scrypt work
        self._no_account = _format(
            self.cost, SCRYPT["r"], SCRYPT["p"], secrets.token_bytes(16), secrets.token_bytes(32)
        )
        storage.create_tables(metadata, engine)

    def set_password(self, name: str, password: str) -> None:
        """Give an existing account a (new) password; ends its sessions.

        It also lifts the account's own limit (``ACCOUNT_FAILURES``); the limits of an address
        and of an account at an address end by themselves.
        """
        if len(password) < MIN_PASSWORD:
            raise ValueError(f"a password needs at least {MIN_PASSWORD} characters")
        hashed = hash_password(password, self.cost)  # before the transaction: it takes time
        with self.engine.begin() as db:
            if db.execute(sa.select(STAFF.c.name).where(STAFF.c.name == name)).first() is None:
                raise ValueError(f"there is no account '{name}'")
            db.execute(sa.delete(LOGINS).where(LOGINS.c.staff == name))
            db.execute(sa.insert(LOGINS).values(staff=name, password_hash=hashed, failures=0))
            db.execute(sa.delete(SESSIONS).where(SESSIONS.c.staff == name))
            db.execute(sa.delete(FAILURES).where(FAILURES.c.key == _key("account", name)))

    def sign_in(self, name: str, password: str, address: str) -> Session:
        """A new session for the right name and password; SignInError otherwise.

        Blocking (scrypt takes about half a second, the database is asked): call it in a
        thread from async code.

        Args:
            name: the account's name as typed.
            password: the password as typed.
            address: the client's address, for the limits (the staff API passes Sanic's
                ``remote_addr``, or the connection's address when no proxy is configured).

        """
        now = self.clock()
        limits = self._limits(name, address)
        with self.engine.connect() as db:
            locked = db.execute(
                sa.select(FAILURES.c.key, FAILURES.c.locked_until).where(
                    FAILURES.c.key.in_([limit.key for limit in limits]),
                    FAILURES.c.locked_until > now,
                )
            ).all()
            if locked:
                until = max(row.locked_until for row in locked)
                lockouts = {limit.key: limit.lockout for limit in limits}
                raise SignInError(
                    _too_many(max(lockouts[row.key] for row in locked)), retry_after=until - now
                )
            row = db.execute(
                sa.select(STAFF.c.role, LOGINS.c.password_hash)
                .join(LOGINS, LOGINS.c.staff == STAFF.c.name)
                .where(STAFF.c.name == name)
            ).first()
        known = row is not None and bool(row.password_hash)
        stored = row.password_hash if known else self._no_account
        matches = password_matches(password, stored)  # for a name without account too
        if not (known and matches):
            if self._weaker_than_now(stored):  # an old cheap hash: take as long as for others
                password_matches(password, self._no_account)
            self._count_failure(limits, now)
            raise SignInError(WRONG)
        if self._weaker_than_now(stored):
            self._rehash(name, password, stored)
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        with self.engine.begin() as db:
            db.execute(sa.delete(FAILURES).where(FAILURES.c.key == limits[0].key))
            db.execute(
                sa.insert(SESSIONS).values(
                    token_hash=_digest(token), staff=name, csrf=csrf, created_at=now, seen_at=now
                )
            )
        return Session(token, csrf, Staff(name, row.role))

    def _limits(self, name: str, address: str) -> list[_Limit]:
        """The counters of an attempt: the pair first (a success clears only that one)."""
        network = _network(address)
        return [
            _Limit(_key("pair", name, network), MAX_FAILURES, LOCKOUT),
            _Limit(_key("address", network), ADDRESS_FAILURES, LOCKOUT),
            _Limit(_key("account", name), ACCOUNT_FAILURES, ACCOUNT_LOCKOUT),
        ]

    def _count_failure(self, limits: list[_Limit], now: float, attempts: int = 3) -> None:
        """Add one failure to each counter and lock those at their limit, atomically.

        Each counter is one ``UPDATE … SET failures = failures + 1`` (or 1 when its window has
        passed), so simultaneous attempts are all counted; a counter's first failure is an
        INSERT, and of two simultaneous INSERTs the loser retries and updates.
        """
        for attempt in range(attempts):
            try:
                with self.engine.begin() as db:
                    for limit in limits:  # always in this order: no deadlock between attempts
                        self._count(db, limit, now)
                break
            except sa.exc.IntegrityError:
                if attempt == attempts - 1:
                    raise
        try:  # forget counters whose window and lock are over
            with self.engine.begin() as db:
                db.execute(
                    sa.delete(FAILURES).where(
                        FAILURES.c.since < now - WINDOW,
                        sa.or_(FAILURES.c.locked_until.is_(None), FAILURES.c.locked_until < now),
                    )
                )
        except sa.exc.DBAPIError as error:  # e.g. a deadlock with another clean-up: next time
            logger.warning("Old sign-in failures not deleted: %s", type(error).__name__)

    @staticmethod
    def _count(db: sa.engine.Connection, limit: _Limit, now: float) -> None:
        current = FAILURES.c.since >= now - WINDOW
        counted = db.execute(
            sa.update(FAILURES)
            .where(FAILURES.c.key == limit.key)
            .values(
                failures=sa.case((current, FAILURES.c.failures + 1), else_=1),
                since=sa.case((current, FAILURES.c.since), else_=now),
            )
        ).rowcount
        if not counted:
            db.execute(sa.insert(FAILURES).values(key=limit.key, failures=1, since=now))
        db.execute(
            sa.update(FAILURES)
            .where(FAILURES.c.key == limit.key, FAILURES.c.failures >= limit.most)
            .values(locked_until=now + limit.lockout)
        )

    def _weaker_than_now(self, stored: str) -> bool:
        cost = _cost(stored)
        return cost is not None and (cost[0] < self.cost or cost[1:] != (SCRYPT["r"], SCRYPT["p"]))

    def _rehash(self, name: str, password: str, old: str) -> None:
        """Store the password with today's cost (unless it was changed meanwhile)."""
        new = hash_password(password, self.cost)
        with self.engine.begin() as db:
            db.execute(
                sa.update(LOGINS)
                .where(LOGINS.c.staff == name, LOGINS.c.password_hash == old)
                .values(password_hash=new)
            )

    def session(self, token: str, refresh: bool = True) -> Session | None:
        """The live session of a cookie's token, or None.

        Args:
            token: the cookie's value.
            refresh: count this as use (the idle time starts again); False for checks that
                are not the user's doing, such as the event stream's periodic check.

        """
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
            if refresh:
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
        """End every session of an account."""
        with self.engine.begin() as db:
            db.execute(sa.delete(SESSIONS).where(SESSIONS.c.staff == name))


def csrf_ok(session: Session, header: str | None) -> bool:
    """True when a state-changing request carries the session's CSRF token."""
    return bool(header) and hmac.compare_digest(session.csrf.encode(), str(header).encode())
