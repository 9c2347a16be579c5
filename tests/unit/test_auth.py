"""Console sign-in: scrypt passwords and their cost, the sign-in limits (per account and
address, per address, per account), no account enumeration, session expiry, CSRF, removing an
account, the staff command."""

from __future__ import annotations

import hashlib
import io
import threading

import pytest
import sqlalchemy as sa

from bot import storage
from bot.desk import auth as auth_module
from bot.desk import staff as staff_command
from bot.desk.auth import (
    ACCOUNT_FAILURES,
    ACCOUNT_LOCKOUT,
    ADDRESS_FAILURES,
    FAILURES,
    IDLE,
    LIFETIME,
    LOCKOUT,
    LOGINS,
    MAX_FAILURES,
    SESSIONS,
    Authenticator,
    SignInError,
    csrf_ok,
    hash_password,
    password_matches,
)
from bot.desk.staff import StaffStore

PASSWORD = "paard-batterij-nietje"
TEST_COST = 2**10  # Authenticator's test-only parameter, where a test is not about the cost
HOME, OFFICE, ATTACKER = "192.0.2.10", "198.51.100.7", "203.0.113.66"
WRONG = "Wrong name or password."


def cost_of(stored: str) -> tuple[int, int, int]:
    kind, n, r, p, _salt, _digest = stored.split("$")
    assert kind == "scrypt"
    return int(n), int(r), int(p)


def test_passwords_are_salted_scrypt_hashes_of_at_least_2_to_the_17_checked_in_constant_time():
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    assert first != second and PASSWORD not in first
    n, r, p = cost_of(first)
    assert n >= 2**17 and (r, p) == (8, 1)
    assert password_matches(PASSWORD, first) and password_matches(PASSWORD, second)
    assert not password_matches("paard-batterij-nietjes", first)
    assert not password_matches(PASSWORD, "md5$abc") and not password_matches(PASSWORD, None)


@pytest.fixture
def clock():
    return [1_800_000_000.0]


@pytest.fixture
def engine(database_url) -> sa.engine.Engine:
    made = storage.engine(database_url)
    StaffStore(made).add("anna")
    StaffStore(made).add("root", role="admin")
    return made


@pytest.fixture
def auth(engine, clock) -> Authenticator:
    authenticator = Authenticator(engine, clock=lambda: clock[0], insecure_cost_for_tests=TEST_COST)
    authenticator.set_password("anna", PASSWORD)
    authenticator.set_password("root", PASSWORD + "!")
    return authenticator


def stored_hash(engine: sa.engine.Engine, name: str) -> str | None:
    with engine.connect() as db:
        return db.execute(sa.select(LOGINS.c.password_hash).where(LOGINS.c.staff == name)).scalar()


def test_a_cheaper_old_hash_is_replaced_at_the_next_successful_sign_in(engine, clock):
    auth = Authenticator(engine, clock=lambda: clock[0])  # the service's default cost
    auth.set_password("anna", PASSWORD)
    assert cost_of(stored_hash(engine, "anna"))[0] >= 2**17
    old = hash_password(PASSWORD, n=2**14)  # as made by the previous version
    with engine.begin() as db:
        db.execute(sa.update(LOGINS).where(LOGINS.c.staff == "anna").values(password_hash=old))
    with pytest.raises(SignInError):
        auth.sign_in("anna", "not the password", HOME)
    assert stored_hash(engine, "anna") == old  # a wrong password changes nothing
    auth.sign_in("anna", PASSWORD, HOME)
    renewed = stored_hash(engine, "anna")
    assert renewed != old and cost_of(renewed) == (2**17, 8, 1)
    assert auth.sign_in("anna", PASSWORD, HOME).staff.name == "anna"


def test_a_name_without_account_costs_the_same_one_scrypt_and_gets_the_same_answer(
    engine, clock, monkeypatch
):
    auth = Authenticator(engine, clock=lambda: clock[0])
    auth.set_password("anna", PASSWORD)
    costs: list[tuple[int, int, int]] = []
    real = hashlib.scrypt

    def counting(password: bytes, **kwargs: int) -> bytes:
        costs.append((kwargs["n"], kwargs["r"], kwargs["p"]))
        return real(password, **kwargs)

    monkeypatch.setattr(hashlib, "scrypt", counting)
    answers = []
    for name in ("anna", "nobody"):
        costs.clear()
        with pytest.raises(SignInError) as refused:
            auth.sign_in(name, "a wrong password", HOME)
        answers.append((str(refused.value), refused.value.retry_after, list(costs)))
    assert answers[0] == answers[1] == (WRONG, None, [(2**17, 8, 1)])


def test_the_right_password_opens_a_session_and_a_wrong_one_says_nothing_more(auth):
    session = auth.sign_in("anna", PASSWORD, HOME)
    assert session.staff.name == "anna" and not session.staff.is_admin
    assert auth.session(session.token).staff.name == "anna"
    assert auth.sign_in("root", PASSWORD + "!", HOME).staff.is_admin
    for name, password in (("anna", "wrong password!"), ("nobody", PASSWORD)):
        with pytest.raises(SignInError, match=WRONG):
            auth.sign_in(name, password, HOME)


def fail(auth: Authenticator, name: str, address: str, times: int = 1) -> None:
    for _ in range(times):
        with pytest.raises(SignInError):
            auth.sign_in(name, "guess guess guess", address)


def test_wrong_passwords_lock_an_account_at_that_address_only(auth, clock):
    fail(auth, "anna", ATTACKER, MAX_FAILURES)
    with pytest.raises(SignInError, match="Too many wrong passwords: try again in 15 min") as e:
        auth.sign_in("anna", PASSWORD, ATTACKER)  # even the right one, from there
    assert 0 < e.value.retry_after <= LOCKOUT
    assert auth.sign_in("anna", PASSWORD, OFFICE).staff.name == "anna"  # anna at work: fine
    assert auth.sign_in("root", PASSWORD + "!", ATTACKER)  # other accounts: fine
    clock[0] += LOCKOUT + 1
    assert auth.sign_in("anna", PASSWORD, ATTACKER).staff.name == "anna"


def test_a_name_without_account_is_locked_the_same_way(auth):
    fail(auth, "nobody", ATTACKER, MAX_FAILURES)
    refusals = []
    for name, password in (("nobody", PASSWORD), ("anna", PASSWORD)):
        fail(auth, "anna", ATTACKER, MAX_FAILURES if name == "anna" else 0)
        with pytest.raises(SignInError) as refused:
            auth.sign_in(name, password, ATTACKER)
        refusals.append(str(refused.value))
    assert refusals[0] == refusals[1] and refusals[0].startswith("Too many")


def test_one_address_cannot_lock_out_the_whole_desk(auth, clock):
    """Guessing many names from one address stops that address, not the staff elsewhere."""
    names = [f"name{i}" for i in range(ADDRESS_FAILURES // MAX_FAILURES - 1)]
    for name in ["anna", "root", *names]:
        fail(auth, name, ATTACKER, MAX_FAILURES)
    with pytest.raises(SignInError, match="Too many"):
        auth.sign_in("someone-else", "guess guess guess", ATTACKER)  # the address is refused
    with pytest.raises(SignInError, match="Too many"):
        auth.sign_in("root", PASSWORD + "!", ATTACKER)
    assert auth.sign_in("anna", PASSWORD, OFFICE) and auth.sign_in("root", PASSWORD + "!", HOME)
    clock[0] += LOCKOUT + 1
    assert auth.sign_in("root", PASSWORD + "!", ATTACKER)


def test_guessing_from_many_addresses_is_slowed_down_per_account(auth, clock):
    addresses = [f"10.0.{i // 250}.{i % 250}" for i in range(ACCOUNT_FAILURES)]
    for address in addresses:
        fail(auth, "anna", address)  # each address below its own limits
    with pytest.raises(SignInError, match="try again in 5 minutes"):
        auth.sign_in("anna", PASSWORD, OFFICE)  # the softer limit: a few minutes
    assert auth.sign_in("root", PASSWORD + "!", OFFICE)
    clock[0] += ACCOUNT_LOCKOUT + 1
    assert auth.sign_in("anna", PASSWORD, OFFICE)


def test_ipv6_addresses_count_per_64_network(auth):
    for host in range(MAX_FAILURES):
        fail(auth, "anna", f"2001:db8:1:2::{host + 1:x}")
    with pytest.raises(SignInError, match="Too many"):
        auth.sign_in("anna", PASSWORD, "2001:db8:1:2:ffff::1")
    assert auth.sign_in("anna", PASSWORD, "2001:db8:1:3::1")


def test_simultaneous_failures_are_all_counted(auth, monkeypatch):
    monkeypatch.setattr(auth_module, "ACCOUNT_FAILURES", 8)
    barrier = threading.Barrier(8)

    def guess(address: str) -> None:
        barrier.wait()
        with pytest.raises(SignInError):
            auth.sign_in("anna", "guess guess guess", address)

    threads = [threading.Thread(target=guess, args=(f"10.1.0.{i}",)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with auth.engine.connect() as db:
        counted = db.execute(sa.select(sa.func.max(FAILURES.c.failures))).scalar()
    assert counted == 8
    with pytest.raises(SignInError, match="Too many"):  # the 8th reached the limit
        auth.sign_in("anna", PASSWORD, OFFICE)


def test_the_failure_table_keeps_no_names_or_addresses(auth):
    fail(auth, "my password typed as name", ATTACKER)
    with auth.engine.connect() as db:
        stored = " ".join(str(v) for row in db.execute(sa.select(FAILURES)) for v in row)
    assert "password" not in stored and ATTACKER not in stored


def test_a_right_password_clears_that_address_and_old_failures_are_forgotten(auth, clock):
    fail(auth, "anna", HOME, MAX_FAILURES - 1)
    auth.sign_in("anna", PASSWORD, HOME)
    fail(auth, "anna", HOME, MAX_FAILURES - 1)
    assert auth.sign_in("anna", PASSWORD, HOME)  # not locked: counted again from zero
    fail(auth, "root", HOME, MAX_FAILURES - 1)
    clock[0] += 16 * 60
    fail(auth, "root", HOME, MAX_FAILURES - 1)
    assert auth.sign_in("root", PASSWORD + "!", HOME)


def sessions_of(engine: sa.engine.Engine, name: str) -> int:
    with engine.connect() as db:
        query = sa.select(sa.func.count()).select_from(SESSIONS).where(SESSIONS.c.staff == name)
        return int(db.execute(query).scalar_one())


def test_a_new_password_ends_every_session_of_the_account(auth):
    first, second = auth.sign_in("anna", PASSWORD, HOME), auth.sign_in("anna", PASSWORD, HOME)
    other = auth.sign_in("root", PASSWORD + "!", HOME)
    auth.set_password("anna", PASSWORD + " new")
    assert auth.session(first.token) is None and auth.session(second.token) is None
    assert sessions_of(auth.engine, "anna") == 0
    assert auth.session(other.token) is not None
    with pytest.raises(SignInError):
        auth.sign_in("anna", PASSWORD, HOME)
    assert auth.sign_in("anna", PASSWORD + " new", HOME)


def test_removing_an_account_deletes_its_password_sessions_and_token(auth, engine):
    token = StaffStore(engine).add("cees")
    auth.set_password("cees", PASSWORD)
    session = auth.sign_in("cees", PASSWORD, HOME)
    assert StaffStore(engine).remove("cees")
    assert stored_hash(engine, "cees") is None and sessions_of(engine, "cees") == 0
    assert auth.session(session.token) is None
    assert StaffStore(engine).authenticate(token) is None
    assert not StaffStore(engine).remove("cees")
    StaffStore(engine).add("cees")  # the name again: a new account, without the old password
    with pytest.raises(SignInError, match=WRONG):
        auth.sign_in("cees", PASSWORD, HOME)


def test_a_check_of_the_session_that_is_not_use_does_not_keep_it_alive(auth, clock):
    session = auth.sign_in("anna", PASSWORD, HOME)
    clock[0] += IDLE - 1
    assert auth.session(session.token, refresh=False) is not None
    clock[0] += 2
    assert auth.session(session.token, refresh=False) is None


def test_sessions_end_when_idle_when_old_and_at_sign_out(auth, clock):
    idle = auth.sign_in("anna", PASSWORD, HOME)
    clock[0] += IDLE + 1
    assert auth.session(idle.token) is None
    busy = auth.sign_in("anna", PASSWORD, HOME)
    start = clock[0]
    while clock[0] - start < LIFETIME - IDLE:
        clock[0] += IDLE / 2
        assert auth.session(busy.token) is not None  # kept alive by use …
    clock[0] = start + LIFETIME + 1
    assert auth.session(busy.token) is None  # … but not for longer than its lifetime
    done = auth.sign_in("anna", PASSWORD, HOME)
    auth.sign_out(done.token)
    assert auth.session(done.token) is None
    assert auth.session("") is None and auth.session("x" * 500) is None


def test_each_session_has_its_own_csrf_token(auth):
    first, second = auth.sign_in("anna", PASSWORD, HOME), auth.sign_in("anna", PASSWORD, HOME)
    assert first.csrf != second.csrf
    assert csrf_ok(first, first.csrf)
    assert not csrf_ok(first, second.csrf) and not csrf_ok(first, None) and not csrf_ok(first, "")


def test_the_staff_command_makes_accounts_with_a_password(database_url, monkeypatch, capsys):
    monkeypatch.setenv("WEGWIJS_DATABASE_URL", database_url)
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert staff_command.main(["add", "bart", "--admin", "--password-stdin"]) == 0
    token = capsys.readouterr().out.strip()
    engine = storage.engine(database_url)
    assert StaffStore(engine).authenticate(token).is_admin
    session = Authenticator(engine).sign_in("bart", PASSWORD, HOME)
    assert session.staff.is_admin
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert staff_command.main(["add", "cees", "--password-stdin"]) == 2  # too short: no account
    assert "cees" not in dict(StaffStore(engine).names())
    assert staff_command.main(["remove", "bart"]) == 0
    assert StaffStore(engine).authenticate(token) is None
    assert Authenticator(engine).session(session.token) is None
    assert stored_hash(engine, "bart") is None
