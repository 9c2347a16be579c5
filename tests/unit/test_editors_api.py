"""The editors' view over HTTP (in process, SQLite): only editors and admins see it, editors
see nothing of the desk's cases, and an export is the NLU YAML of the messages asked for."""

from __future__ import annotations

import yaml

from bot.desk.store import NewCase
from bot.editors.api import CHOOSE_INTENT
from bot.editors.recording import Turn, record
from tests.unit.test_desk_api import PASSWORD, desk, sign_in  # noqa: F401 - the fixture

EDITORS_ROUTES = ("api/editors", "api/editors?since=2026-12-01", "api/editors/export?ids=1")
DESK_ROUTES = ("api/cases", "api/cases?status=closed", "api/cases/1", "api/canned?language=pl")


def _account(desk, name: str, role: str) -> dict[str, str]:  # noqa: F811
    token = desk.staff.add(name, role)
    desk.auth.set_password(name, PASSWORD)
    return {"Authorization": f"Bearer {token}"}


async def _get(desk, path: str, headers: dict[str, str]):  # noqa: F811
    async with desk.http.get(desk.url + path, headers=headers) as reply:
        return reply.status, await reply.read()


async def test_staff_without_the_editor_role_get_403_on_every_editors_route(desk):  # noqa: F811
    staff = _account(desk, "carla", "staff")
    session = await sign_in(desk, "carla")
    for route in EDITORS_ROUTES:
        assert (await _get(desk, route, staff))[0] == 403, route
        assert (await _get(desk, route, session))[0] == 403, route
    assert (await _get(desk, "api/editors", {}))[0] == 401


async def test_editors_see_the_editors_view_and_no_case(desk):  # noqa: F811
    desk.cases.open_case(NewCase("tg-1", "telegram", "pl", "request", "Nie dostałem wypłaty"))
    editor = _account(desk, "eva", "editor")
    for route in DESK_ROUTES:
        assert (await _get(desk, route, editor))[0] == 403, route
    status, body = await _get(desk, "api/editors", editor)
    assert status == 200
    assert set(yaml.safe_load(body)) >= {"not_understood", "answers", "topics_at_desk", "per_day"}
    async with desk.http.get(desk.url + "api/me", headers=editor) as reply:
        assert (await reply.json())["role"] == "editor"


async def test_an_admin_sees_both_and_the_export_gives_the_masked_texts(desk):  # noqa: F811
    admin = _account(desk, "root", "admin")
    record(
        desk.editors,
        Turn(
            "tg-7",
            "pl",
            "nlu_fallback",
            "prawo jazdy, tel 0612345678",
            "fallback",
            guess="registration_brp",
        ),
    )
    assert (await _get(desk, "api/cases", admin))[0] == 200
    _, body = await _get(desk, "api/editors", admin)
    [found] = yaml.safe_load(body)["not_understood"]
    assert found["examples"] == ["prawo jazdy, tel [phone]"]
    assert found["guess"] == "registration_brp"
    ids = ",".join(str(i) for i in found["ids"])
    async with desk.http.get(desk.url + f"api/editors/export?ids={ids}", headers=admin) as reply:
        assert reply.status == 200
        assert "attachment" in reply.headers["Content-Disposition"]
        assert reply.headers["Cache-Control"] == "no-store"
        exported = yaml.safe_load(await reply.text())
    assert exported["nlu"] == [
        {"intent": CHOOSE_INTENT, "examples": "- prawo jazdy, tel [phone]\n"}
    ]
    audit = [entry["action"] for entry in desk.cases.audit_log()]
    assert {"editors_view", "editors_export"} <= set(audit)


async def test_wrong_arguments_get_a_clear_400(desk):  # noqa: F811
    editor = _account(desk, "eva", "editor")
    for route in (
        "api/editors?since=yesterday",
        "api/editors/export?ids=a,b",
        "api/editors/export",
    ):
        status, body = await _get(desk, route, editor)
        assert status == 400, route
        assert yaml.safe_load(body)["message"]
