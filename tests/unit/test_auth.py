"""Console sign-in: scrypt passwords, lockout, session expiry, CSRF, the staff command."""

from __future__ import annotations

import io

import pytest

from bot import storage
from bot.helpdesk import staff as staff_command
from bot.helpdesk.auth import (
    IDLE,
    LIFETIME,
    LOCKOUT,
    MAX_FAILURES,
    Authenticator,
    SignInError,
    csrf_ok,
    hash_password,
    password_matches,
)
from bot.helpdesk.staff import StaffStore

PASSWORD = "paard-batterij-nietje"


def test_passwords_are_salted_scrypt_hashes_checked_in_constant_time():
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    assert first != second and first.startswith("scrypt$16384$8$1$")
    assert PASSWORD not in first
    assert password_matches(PASSWORD, first) and password_matches(PASSWORD, second)
    assert not password_matches("paard-batterij-nietjes", first)
    assert not password_matches(PASSWORD, "md5$abc") and not password_matches(PASSWORD, None)


@pytest.fixture
def clock():
    return [1_800_000_000.0]


@pytest.fixture
def auth(database_url, clock) -> Authenticator:
    engine = storage.engine(database_url)
    StaffStore(engine).add("anna")
    StaffStore(engine).add("root", role="admin")
    authenticator = Authenticator(engine, clock=lambda: clock[0])
    authenticator.set_password("anna", PASSWORD)
    authenticator.set_password("root", PASSWORD + "!")
    return authenticator


def test_the_right_password_opens_a_session_and_a_wrong_one_says_nothing_more(auth):
    session = auth.sign_in("anna", PASSWORD)
    assert session.staff.name == "anna" and not session.staff.is_admin
    assert auth.session(session.token).staff.name == "anna"
    assert auth.sign_in("root", PASSWORD + "!").staff.is_admin
    for name, password in (("anna", "wrong password!"), ("nobody", PASSWORD)):
        with pytest.raises(SignInError, match="Wrong name or password"):
            auth.sign_in(name, password)


def test_repeated_wrong_passwords_lock_the_account_for_a_while(auth, clock):
    for _ in range(MAX_FAILURES):
        with pytest.raises(SignInError):
            auth.sign_in("anna", "guess guess guess")
    with pytest.raises(SignInError, match="Too many"):
        auth.sign_in("anna", PASSWORD)  # even the right one
    assert auth.sign_in("root", PASSWORD + "!")  # others are not affected
    clock[0] += LOCKOUT + 1
    assert auth.sign_in("anna", PASSWORD).staff.name == "anna"


def test_sessions_end_when_idle_when_old_and_at_sign_out(auth, clock):
    idle = auth.sign_in("anna", PASSWORD)
    clock[0] += IDLE + 1
    assert auth.session(idle.token) is None
    busy = auth.sign_in("anna", PASSWORD)
    start = clock[0]
    while clock[0] - start < LIFETIME - IDLE:
        clock[0] += IDLE / 2
        assert auth.session(busy.token) is not None  # kept alive by use …
    clock[0] = start + LIFETIME + 1
    assert auth.session(busy.token) is None  # … but not for longer than its lifetime
    done = auth.sign_in("anna", PASSWORD)
    auth.sign_out(done.token)
    assert auth.session(done.token) is None
    assert auth.session("") is None and auth.session("x" * 500) is None


def test_each_session_has_its_own_csrf_token(auth):
    first, second = auth.sign_in("anna", PASSWORD), auth.sign_in("anna", PASSWORD)
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
    assert Authenticator(engine).sign_in("bart", PASSWORD).staff.is_admin
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert staff_command.main(["add", "cees", "--password-stdin"]) == 2  # too short: no account
    assert "cees" not in dict(StaffStore(engine).names())
    assert staff_command.main(["remove", "bart"]) == 0
    assert StaffStore(engine).authenticate(token) is None
