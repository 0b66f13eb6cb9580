"""The 账号 screen's API: schools to pick from, a school name that matches no school refused in words,
one-time passwords on create and reset (shown once, they work, the old one does not), last logins and the
"change your password" hint. One app and one program for the module (SQLite)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api_fixtures import (
    TestClient,
    create_pengzhou,
    login_client,
    make_settings,
    running_client,
)

GOOD = "quiet-meadow-7315"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, int]]:
    tmp: Path = tmp_path_factory.mktemp("accounts11")
    with running_client(make_settings(tmp / "data", f"sqlite:///{tmp / 'docgen.db'}")) as admin:
        yield admin, create_pengzhou(admin)


def test_the_schools_offered_are_the_schools_of_the_admins_rosters(world: tuple[TestClient, int]) -> None:
    admin, program = world
    r = admin.get(f"/api/schools?program={program}")
    assert r.status_code == 200, r.text
    schools = r.json()
    names = [s["name"] for s in schools]
    assert "彭州市西郊小学" in names and "黑水县芦花完全小学校" in names
    assert len(names) == len(set(names))  # a school on several pairs is offered once
    xijiao = next(s for s in schools if s["name"] == "彭州市西郊小学")
    assert xijiao["program_ids"] == [program] and xijiao["program_names"][0].startswith("彭州")
    assert admin.get("/api/schools").json() == schools  # every program of this admin: here the one
    assert admin.get("/api/schools?program=999").status_code == 404


def test_a_school_name_that_matches_no_school_is_refused_in_words(world: tuple[TestClient, int]) -> None:
    admin, program = world
    r = admin.post("/api/users", json={"username": "nowhere", "password": GOOD, "role": "school",
                                       "school_name": "西郊小学", "programs": [program]})  # fmt: skip
    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert "学校“西郊小学”不在所选项目的花名册中" in detail and "是否指：彭州市西郊小学" in detail
    assert "school_name" not in detail  # no field code in the words a clerk reads
    assert all(u["username"] != "nowhere" for u in admin.get("/api/users").json())


def test_a_new_account_without_a_password_gets_a_one_time_one_shown_once(world: tuple[TestClient, int]) -> None:
    admin, program = world
    r = admin.post("/api/users", json={"username": "xijiao-otp", "role": "school",
                                       "school_name": " 彭州市西郊小学 ", "programs": [program]})  # fmt: skip
    assert r.status_code == 201, r.text
    body = r.json()
    password = body["password"]
    assert len(password) == 14 and body["school_name"] == "彭州市西郊小学"
    school = login_client(admin, "xijiao-otp", password, take_over=False)
    me = school.get("/api/me").json()
    assert me["must_change_password"] is True  # set by the admin: to be replaced
    # never shown again: neither in the list nor to the user itself
    assert "password" not in next(u for u in admin.get("/api/users").json() if u["username"] == "xijiao-otp")
    assert "password" not in me
    r = school.post("/api/auth/password", json={"old_password": password, "new_password": GOOD})
    assert r.status_code == 200, r.text
    assert r.json()["must_change_password"] is False
    # a typed password is kept as typed (and is the admin's, so it is to be changed too)
    r = admin.post("/api/users", json={"username": "viewer11", "password": GOOD, "role": "readonly",
                                       "programs": [program]})  # fmt: skip
    assert r.status_code == 201 and r.json()["password"] is None


def test_a_reset_gives_a_new_one_time_password_and_ends_the_old_one(world: tuple[TestClient, int]) -> None:
    admin, program = world
    body = {"username": "lantian11", "password": GOOD, "role": "school", "school_name": "彭州市通济镇蓝天小学",
            "programs": [program]}  # fmt: skip
    user = admin.post("/api/users", json=body).json()
    old_session = login_client(admin, "lantian11", GOOD)
    r = admin.post(f"/api/users/{user['id']}/reset-password")
    assert r.status_code == 200, r.text
    new = r.json()["password"]
    assert new != GOOD and r.json()["user"]["username"] == "lantian11"
    assert old_session.get("/api/me").status_code == 401  # its sessions ended
    r = admin.post("/api/auth/login", json={"username": "lantian11", "password": GOOD})
    assert r.status_code == 401
    fresh = login_client(admin, "lantian11", new, take_over=False)
    assert fresh.get("/api/me").json()["must_change_password"] is True
    assert admin.post("/api/users/99999/reset-password").status_code == 404


def test_the_list_shows_each_accounts_last_login(world: tuple[TestClient, int]) -> None:
    admin, program = world
    admin.post("/api/users", json={"username": "never11", "password": GOOD, "role": "readonly",
                                   "programs": [program]})  # fmt: skip
    users = {u["username"]: u for u in admin.get("/api/users").json()}
    assert users["admin"]["last_login_at"] is not None
    assert users["never11"]["last_login_at"] is None
    login_client(admin, "never11", GOOD)
    users = {u["username"]: u for u in admin.get("/api/users").json()}
    assert users["never11"]["last_login_at"] is not None


def test_until_a_one_time_password_is_replaced_only_the_password_change_answers(
    world: tuple[TestClient, int],
) -> None:
    admin, program = world
    r = admin.post("/api/users", json={"username": "tongji-otp", "role": "school",
                                       "school_name": "彭州市通济镇蓝天小学", "programs": [program]})  # fmt: skip
    user_id, password = r.json()["id"], r.json()["password"]
    school = login_client(admin, "tongji-otp", password, take_over=False)
    # what the school could otherwise read or write: all held back, in words, with the UI's cue
    for method, path in [("GET", "/api/programs"), ("GET", f"/api/programs/{program}"),
                         ("GET", f"/api/uploads?program={program}"), ("GET", "/api/tokens"),
                         ("POST", "/api/tokens")]:  # fmt: skip
        r = school.request(method, path, json={"name": "脚本"} if method == "POST" else None)
        assert r.status_code == 403, (method, path, r.text)
        assert "一次性密码" in r.json()["detail"] and r.headers["X-Docgen-Must-Change-Password"] == "1"
    assert school.get("/api/me").json()["must_change_password"] is True
    assert school.get("/api/vocabulary").status_code == 200  # open to anyone: words, no data
    r = school.post("/api/auth/password", json={"old_password": password, "new_password": password})
    assert r.status_code == 422 and "新密码不能与原密码相同" in r.text  # the admin would still know it
    assert school.get("/api/programs").status_code == 403
    r = school.post("/api/auth/password", json={"old_password": password, "new_password": GOOD})
    assert r.status_code == 200 and r.json()["must_change_password"] is False
    assert school.get("/api/programs").status_code == 200
    assert school.post("/api/tokens", json={"name": "脚本"}).status_code == 201
    # an admin's reset makes it one-time again: held back again until the user replaces it
    new = admin.post(f"/api/users/{user_id}/reset-password").json()["password"]
    school = login_client(admin, "tongji-otp", new, take_over=False)
    assert school.get("/api/programs").status_code == 403
    assert school.post("/api/auth/logout").status_code == 204


def test_the_migration_carries_each_users_one_time_password_over_from_the_audit_log(tmp_path: Path) -> None:
    """``password_set_by_other`` (0015) replaced a query of the audit log on every request; users made before it
    keep what that query said: an admin's account or reset → must change; a password the user changed itself,
    or an account made at the command line → not."""
    from sqlalchemy import text

    from api.db import make_engine, migrate

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate(engine, "ui11_template_names")
    now = "2026-01-01 00:00:00"
    users = {1: "admin", 2: "made_by_admin", 3: "changed_own", 4: "reset_after_change", 5: "cli_made"}
    events = [  # (user_id who did it, action, target user)
        (None, "user.create", 1),
        (1, "user.create", 2),
        (1, "user.create", 3),
        (3, "user.password_change", 3),
        (1, "user.create", 4),
        (4, "user.password_change", 4),
        (1, "user.password_reset", 4),
        (None, "user.create", 5),
    ]
    with engine.begin() as conn:
        for uid, name in users.items():
            conn.execute(
                text(
                    "INSERT INTO users (id, username, password_hash, role, active, created_at)"
                    f" VALUES ({uid}, '{name}', 'x', 'admin', 1, '{now}')"
                )
            )
        for by, action, target in events:
            conn.execute(
                text("INSERT INTO audit_events (user_id, username, action, target, at, detail)"
                     " VALUES (:by, '', :action, :target, :at, '{}')"),
                {"by": by, "action": action, "target": f"user:{target}", "at": now},
            )  # fmt: skip
    try:
        migrate(engine)
        with engine.begin() as conn:
            rows = conn.execute(text("SELECT username, password_set_by_other FROM users"))
            got = {name: bool(flag) for name, flag in rows}
        assert got == {
            "admin": False, "made_by_admin": True, "changed_own": False, "reset_after_change": True, "cli_made": False
        }  # fmt: skip
    finally:
        engine.dispose()
