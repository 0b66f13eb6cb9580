"""Accounts under attack and in daily use: login throttling, the hashing cap, API tokens, user administration,
the password rule, usernames and length limits — real requests through the app, on SQLite and PostgreSQL."""

from __future__ import annotations

import statistics
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from api.app import create_app
from api.models import ApiToken, utcnow
from api.services.errors import Invalid
from api.services.passwords import common_passwords, password_problems
from api.settings import Settings
from cli.main import app as cli_app
from tests.api_fixtures import (
    ADMIN_PASSWORD,
    TestClient,
    admin,
    browser_like,
    create_pengzhou,
    database_url,
    login_client,
    make_settings,
    running_client,
    settings,
)
from tests.live_server import docgen_serve

__all__ = ["admin", "database_url", "settings"]  # fixtures used by name

WRONG = "用户名或密码错误"
GOOD = "quiet-meadow-7315"  # passes the rule for every username used here


def login(client: httpx.Client, username: str, password: str) -> httpx.Response:
    return client.post("/api/auth/login", json={"username": username, "password": password})


def make_user(
    admin: TestClient, username: str, password: str = GOOD, role: str = "readonly", programs: list[int] | None = None
) -> dict[str, Any]:
    body = {"username": username, "password": password, "role": role, "programs": programs or []}
    r = admin.post("/api/users", json=body)
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def fast_backoff(tmp_path: Path, database_url: str, **overrides: Any) -> Settings:
    """Settings whose backoff is short enough to wait out in a test (2 s, doubling)."""
    values: dict[str, Any] = {"login_backoff_seconds": 2.0, **overrides}
    return make_settings(tmp_path / "data", database_url, **values)


# ------------------------------------------------------------------------------------------ throttling


def test_after_five_wrong_passwords_even_the_right_one_gets_429_until_the_backoff_passes(
    tmp_path: Path, database_url: str
) -> None:
    with running_client(fast_backoff(tmp_path, database_url), login=None) as client:
        for _ in range(5):
            r = login(client, "admin", "not-the-password")
            assert r.status_code == 401 and r.json()["detail"] == WRONG
        locked = login(client, "admin", ADMIN_PASSWORD)
        assert locked.status_code == 429
        assert "登录失败次数过多" in locked.json()["detail"] and "秒后再试" in locked.json()["detail"]
        wait = int(locked.headers["Retry-After"])
        assert 1 <= wait <= 2
        assert "set-cookie" not in locked.headers
        time.sleep(wait + 0.2)
        assert login(client, "admin", ADMIN_PASSWORD).status_code == 200
        (locked_event,) = client.get("/api/audit", params={"action": "auth.locked"}).json()
        assert locked_event["username"] == "admin" and locked_event["detail"] == {"failures_from": "testclient"}
        # the success cleared the account's counter: four more mistakes do not lock it (without the reset,
        # the first of them would have been failure 6 and the second a 429)
        assert [login(client, "admin", "still-wrong-1").status_code for _ in range(4)] == [401] * 4
        assert login(client, "admin", ADMIN_PASSWORD).status_code == 200


def test_the_backoff_doubles_with_each_further_failure(tmp_path: Path, database_url: str) -> None:
    with running_client(fast_backoff(tmp_path, database_url), login=None) as client:
        for _ in range(5):
            login(client, "admin", "not-the-password")
        first = int(login(client, "admin", "x-wrong-pass").headers["Retry-After"])
        time.sleep(first + 0.2)
        assert login(client, "admin", "not-the-password").status_code == 401  # failure 6
        second = login(client, "admin", ADMIN_PASSWORD)
        assert second.status_code == 429 and 3 <= int(second.headers["Retry-After"]) <= 4


def test_an_unknown_username_gets_the_same_answers_and_timing_as_a_real_one(admin: TestClient) -> None:
    def run(username: str) -> list[tuple[int, str, bool]]:
        answers = []
        for _ in range(7):
            r = login(admin, username, "not-the-password")
            answers.append((r.status_code, r.json()["detail"].split("请")[0], "Retry-After" in r.headers))
        return answers

    real, ghost = run("admin"), run("nobody-here")
    assert real == ghost
    assert [a[0] for a in real] == [401] * 5 + [429] * 2

    def median_seconds(username: str) -> float:
        times = []
        for _ in range(3):
            start = time.perf_counter()
            assert login(admin, username, "not-the-password").status_code == 401
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    make_user(admin, "timing-user")
    known, unknown = median_seconds("timing-user"), median_seconds("timing-ghost")
    # both pay one argon2 verification (tens of ms); a skipped hash would be ~100× faster
    assert 0.33 < unknown / known < 3, (known, unknown)


def test_one_client_address_is_throttled_across_usernames(tmp_path: Path, database_url: str) -> None:
    with running_client(fast_backoff(tmp_path, database_url, login_max_failures_per_address=3), login=None) as c:
        assert [login(c, f"guess-{i}", "not-the-password").status_code for i in range(3)] == [401] * 3
        r = login(c, "admin", ADMIN_PASSWORD)  # another account, the right password, the same address
        assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1


def test_forty_concurrent_logins_are_refused_fast_with_bounded_memory_and_other_requests_still_answer(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    env = {"DOCGEN_ADMIN_USERNAME": "admin", "DOCGEN_ADMIN_PASSWORD": ADMIN_PASSWORD}
    with docgen_serve(data, env) as base:
        port = base.rsplit(":", 1)[1]
        (server,) = [p for p in psutil.Process().children() if port in p.cmdline()]  # the `docgen serve` process
        with browser_like(httpx.Client(base_url=base, timeout=60)) as http:
            assert login(http, "admin", ADMIN_PASSWORD).status_code == 200
            token = http.post("/api/tokens", json={"name": "monitor"}).json()["token"]
        baseline = server.memory_info().rss
        peak = baseline
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, server.memory_info().rss)
                time.sleep(0.02)

        barrier = threading.Barrier(41)
        statuses: list[int] = []
        me_seconds: list[float] = []

        def wrong_login(i: int) -> None:
            with httpx.Client(base_url=base, timeout=120) as h:
                barrier.wait()
                statuses.append(login(h, "admin", f"wrong-password-{i}").status_code)

        def ask_me() -> None:
            with httpx.Client(base_url=base, timeout=120, headers={"Authorization": f"Bearer {token}"}) as h:
                barrier.wait()
                time.sleep(0.3)  # while the logins are being hashed
                start = time.perf_counter()
                r = h.get("/api/me")
                me_seconds.append(time.perf_counter() - start)
                assert r.status_code == 200 and r.json()["username"] == "admin"

        sampler = threading.Thread(target=sample)
        sampler.start()
        threads = [threading.Thread(target=wrong_login, args=(i,)) for i in range(40)]
        threads.append(threading.Thread(target=ask_me))
        for t in threads:
            t.start()
        for t in threads:
            t.join(180)
        done.set()
        sampler.join()
    growth_mib = (peak - baseline) / 2**20
    print(f"statuses {sorted(statuses)}; RSS growth {growth_mib:.0f} MiB; /api/me {me_seconds}")
    assert len(statuses) == 40 and set(statuses) <= {401, 429}
    assert statuses.count(429) >= 30, sorted(statuses)
    assert growth_mib < 300, f"server RSS grew {growth_mib:.0f} MiB"
    assert me_seconds and me_seconds[0] < 3.0, me_seconds  # before the cap: 11 s


# ------------------------------------------------------------------------------------------ API tokens


def test_tokens_are_listed_without_their_secret_and_can_be_revoked(admin: TestClient) -> None:
    created = admin.post("/api/tokens", json={"name": "nightly export", "expires_days": 30})
    assert created.status_code == 201
    token, token_id = created.json()["token"], created.json()["id"]
    bearer = TestClient(admin.app, headers={"Authorization": f"Bearer {token}"})
    assert bearer.get("/api/me").status_code == 200
    listed = admin.get("/api/tokens")
    assert listed.status_code == 200
    assert token not in listed.text and "token_hash" not in listed.text
    (row,) = listed.json()
    assert row["id"] == token_id and row["name"] == "nightly export" and row["last_used_at"] is not None
    assert set(row) == {"id", "user_id", "name", "created_at", "last_used_at", "expires_at"}
    assert (datetime.fromisoformat(row["expires_at"]) - datetime.now(UTC)).days in (29, 30)
    assert admin.delete(f"/api/tokens/{token_id}").status_code == 204
    assert bearer.get("/api/me").status_code == 401
    assert admin.get("/api/tokens").json() == []
    assert admin.delete(f"/api/tokens/{token_id}").status_code == 404


def test_a_user_cannot_see_or_revoke_another_users_token_but_an_admin_can(admin: TestClient) -> None:
    user = make_user(admin, "viewer-a")
    viewer = login_client(admin, "viewer-a", GOOD)
    theirs = viewer.post("/api/tokens", json={"name": "mine"}).json()
    admins = admin.post("/api/tokens", json={"name": "admin's"}).json()
    assert viewer.delete(f"/api/tokens/{admins['id']}").status_code == 404  # as if it did not exist
    assert viewer.get(f"/api/users/{user['id']}/tokens").status_code == 403
    assert [t["name"] for t in viewer.get("/api/tokens").json()] == ["mine"]
    listed = admin.get(f"/api/users/{user['id']}/tokens")
    assert listed.status_code == 200 and [t["id"] for t in listed.json()] == [theirs["id"]]
    assert admin.delete(f"/api/tokens/{theirs['id']}").status_code == 204
    bare = TestClient(admin.app)
    assert bare.get("/api/me", headers={"Authorization": f"Bearer {theirs['token']}"}).status_code == 401
    assert bare.get("/api/me", headers={"Authorization": f"Bearer {admins['token']}"}).status_code == 200
    audit = admin.get("/api/audit", params={"action": "token.revoke"}).json()
    assert audit[0]["detail"]["user_id"] == user["id"]


def test_an_expired_token_gives_401_and_lifetimes_are_bounded(admin: TestClient) -> None:
    r = admin.post("/api/tokens", json={"name": "short"})
    assert r.status_code == 201
    default_days = (datetime.fromisoformat(r.json()["expires_at"]) - datetime.now(UTC)).days
    assert default_days in (89, 90)
    bare = TestClient(admin.app)
    auth = {"Authorization": f"Bearer {r.json()['token']}"}
    assert bare.get("/api/me", headers=auth).status_code == 200
    db = admin.app.state.services.db  # type: ignore[attr-defined]
    with db.session() as s:
        past = utcnow() - timedelta(seconds=1)
        s.execute(update(ApiToken).where(ApiToken.id == r.json()["id"]).values(expires_at=past))
    assert bare.get("/api/me", headers=auth).status_code == 401
    for days in (0, 366, 100_000):
        assert admin.post("/api/tokens", json={"name": "x", "expires_days": days}).status_code == 422
    assert admin.post("/api/tokens", json={"name": "year", "expires_days": 365}).status_code == 201


# ------------------------------------------------------------------------------------------ users


def test_admin_lists_users_and_only_an_admin_may(admin: TestClient) -> None:
    make_user(admin, "viewer-b")
    users = admin.get("/api/users")
    assert users.status_code == 200
    assert [(u["username"], u["role"], u["active"]) for u in users.json()] == [
        ("admin", "admin", True),
        ("viewer-b", "readonly", True),
    ]
    assert "password_hash" not in users.text
    viewer = login_client(admin, "viewer-b", GOOD)
    assert viewer.get("/api/users").status_code == 403
    assert viewer.patch(f"/api/users/{users.json()[0]['id']}", json={"active": False}).status_code == 403


def _cookie_and_token(admin: TestClient, username: str, password: str) -> tuple[TestClient, TestClient]:
    """A client logged in with a cookie, and one holding an API token of the same user."""
    cookie = login_client(admin, username, password)
    token = cookie.post("/api/tokens", json={"name": "script"}).json()["token"]
    return cookie, TestClient(admin.app, headers={"Authorization": f"Bearer {token}"})


def test_deactivating_a_user_ends_its_sessions_and_tokens_and_it_cannot_log_in(admin: TestClient) -> None:
    user = make_user(admin, "leaver")
    cookie, bearer = _cookie_and_token(admin, "leaver", GOOD)
    assert cookie.get("/api/me").status_code == 200 and bearer.get("/api/me").status_code == 200
    r = admin.patch(f"/api/users/{user['id']}", json={"active": False})
    assert r.status_code == 200 and r.json()["active"] is False
    assert cookie.get("/api/me").status_code == 401
    assert bearer.get("/api/me").status_code == 401
    refused = login(TestClient(admin.app), "leaver", GOOD)
    assert refused.status_code == 401 and refused.json()["detail"] == WRONG  # as a wrong password
    assert admin.get(f"/api/users/{user['id']}/tokens").json() == []
    assert admin.patch(f"/api/users/{user['id']}", json={"active": True}).json()["active"] is True
    assert cookie.get("/api/me").status_code == 401  # the old session stays ended
    assert login(TestClient(admin.app), "leaver", GOOD).status_code == 200


def test_an_admin_password_reset_ends_every_session_and_token(admin: TestClient) -> None:
    user = make_user(admin, "forgetful")
    cookie, bearer = _cookie_and_token(admin, "forgetful", GOOD)
    weak = admin.patch(f"/api/users/{user['id']}", json={"password": "short"})
    assert weak.status_code == 422 and "至少 10 个字符" in weak.json()["detail"]
    assert cookie.get("/api/me").status_code == 200  # a refused reset changes nothing
    r = admin.patch(f"/api/users/{user['id']}", json={"password": "brand-new-secret-42"})
    assert r.status_code == 200
    assert cookie.get("/api/me").status_code == 401 and bearer.get("/api/me").status_code == 401
    assert login(TestClient(admin.app), "forgetful", GOOD).status_code == 401
    assert login(TestClient(admin.app), "forgetful", "brand-new-secret-42").status_code == 200
    assert admin.get("/api/audit", params={"action": "user.password_reset"}).json()[0]["target"] == f"user:{user['id']}"


def test_changing_ones_own_password_needs_the_old_one_and_ends_the_other_sessions(admin: TestClient) -> None:
    make_user(admin, "changer")
    cookie, bearer = _cookie_and_token(admin, "changer", GOOD)
    old_cookie = cookie.cookies.get("docgen_session")
    wrong = cookie.post("/api/auth/password", json={"old_password": "not-it-at-all", "new_password": "another-pass-77"})
    assert wrong.status_code == 422 and wrong.json()["detail"] == "原密码不正确"
    weak = cookie.post("/api/auth/password", json={"old_password": GOOD, "new_password": "changer-2024!"})
    assert weak.status_code == 422 and "不能等于或包含用户名" in weak.json()["detail"]
    r = cookie.post("/api/auth/password", json={"old_password": GOOD, "new_password": "another-pass-77"})
    assert r.status_code == 200 and r.json()["username"] == "changer"
    assert cookie.get("/api/me").status_code == 200  # this client got a fresh session
    assert cookie.cookies.get("docgen_session") != old_cookie
    stale = TestClient(admin.app, cookies={"docgen_session": old_cookie or ""})
    assert stale.get("/api/me").status_code == 401
    assert bearer.get("/api/me").status_code == 401
    assert login(TestClient(admin.app), "changer", "another-pass-77").status_code == 200


def test_wrong_old_passwords_are_throttled_like_logins(tmp_path: Path, database_url: str) -> None:
    with running_client(fast_backoff(tmp_path, database_url)) as client:
        answers = [
            client.post("/api/auth/password", json={"old_password": f"guess-{i}-xx", "new_password": "fresh-pass-919"})
            for i in range(6)
        ]
        assert [a.status_code for a in answers] == [422] * 5 + [429]
        assert "Retry-After" in answers[-1].headers


def test_the_last_active_admin_cannot_be_deactivated(admin: TestClient) -> None:
    me = admin.get("/api/me").json()
    r = admin.patch(f"/api/users/{me['id']}", json={"active": False})
    assert r.status_code == 409 and "最后一个启用的管理员" in r.json()["detail"]
    assert admin.get("/api/me").status_code == 200
    program_id = create_pengzhou(admin)
    second = make_user(admin, "deputy", role="admin", programs=[program_id])  # a fellow admin of the bureau
    assert admin.patch(f"/api/users/{second['id']}", json={"active": False}).status_code == 200
    assert admin.patch(f"/api/users/{me['id']}", json={"active": False}).status_code == 409  # deputy is inactive
    assert admin.patch(f"/api/users/{second['id']}", json={"active": True}).status_code == 200
    assert admin.patch(f"/api/users/{me['id']}", json={"active": False}).status_code == 200
    assert admin.get("/api/me").status_code == 401  # its own session ended with it


def test_an_admin_cannot_touch_another_bureaus_accounts(admin: TestClient) -> None:
    ours = create_pengzhou(admin)
    other_admin = make_user(admin, "other-bureau", role="admin")  # no program in common
    bureau = login_client(admin, "other-bureau", GOOD)
    theirs = create_pengzhou(bureau)
    their_school = bureau.post(
        "/api/users",
        json={"username": "their-school", "password": GOOD, "role": "school", "school_name": "彭州市西郊小学",
              "programs": [theirs]},
    ).json()  # fmt: skip
    our_school = make_user(admin, "our-school", programs=[ours])
    their_token = bureau.post("/api/tokens", json={"name": "theirs"}).json()
    listed = {u["username"] for u in admin.get("/api/users").json()}
    assert listed == {"admin", "our-school"}
    for victim in (other_admin, their_school):
        assert admin.patch(f"/api/users/{victim['id']}", json={"password": "taken-over-123"}).status_code == 404
        assert admin.patch(f"/api/users/{victim['id']}", json={"active": False}).status_code == 404
        assert admin.get(f"/api/users/{victim['id']}/tokens").status_code == 404
    assert admin.delete(f"/api/tokens/{their_token['id']}").status_code == 404
    assert bureau.get("/api/me").status_code == 200  # untouched
    assert {u["username"] for u in bureau.get("/api/users").json()} == {"other-bureau", "their-school"}
    assert admin.get(f"/api/users/{our_school['id']}/tokens").status_code == 200


# ------------------------------------------------------------------------------------------ password rule


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short-pw1", "密码至少 10 个字符（现在 9 个）"),
        ("my-NewUser-key", "密码不能等于或包含用户名"),
        ("NEWUSER", "密码不能等于或包含用户名"),
        ("woaini1314", "密码在常用密码表中"),
        ("1qaz2wsx3edc", "密码在常用密码表中"),
        ("密" * 342, "密码不能超过 1024 字节"),  # 342 characters, 1,026 bytes
    ],
)
def test_the_password_rule_names_what_is_wrong(admin: TestClient, password: str, message: str) -> None:
    r = admin.post("/api/users", json={"username": "newuser", "password": password, "role": "readonly"})
    assert r.status_code == 422
    assert message in r.json()["detail"]
    assert message in " ".join(e["message"] for e in r.json()["errors"])
    assert admin.get("/api/users").json()[-1]["username"] == "admin"  # nothing created


def test_the_passwords_the_tests_use_pass_the_rule() -> None:
    common = common_passwords()
    assert len(common) > 10_000 and {"password", "woaini1314", "qwertyuiop"} <= common
    used = [("admin", ADMIN_PASSWORD), ("changer", GOOD), ("heishui-zhawo", "school-pass-123"),
            ("viewer", "glass-orchid-58"), ("xijiao", "school-pass"), ("admin", "bench-lantern-pass")]  # fmt: skip
    assert {user: password_problems(password, user) for user, password in used} == {user: [] for user, _ in used}
    assert password_problems("admin-pass-123", "admin") == ["密码不能等于或包含用户名"]  # the old fixture password


def test_a_weak_startup_admin_password_stops_the_service(tmp_path: Path, database_url: str) -> None:
    weak = make_settings(tmp_path / "data", database_url, admin_password="admin-pass-123")
    client = TestClient(create_app(weak))
    with pytest.raises(Invalid, match=r"DOCGEN_ADMIN_PASSWORD.*密码不能等于或包含用户名"), client:
        pass


def test_serve_create_admin_refuses_a_weak_password(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli_app, ["serve", "--data", str(tmp_path / "var"), "--create-admin", "root"], input="12345678\n12345678\n"
    )
    assert result.exit_code == 2
    assert "密码至少 10 个字符" in result.output and "常用密码表" in result.output


# ------------------------------------------------------------------------------------------ usernames


def test_a_full_width_username_is_stored_normalised_and_is_the_same_name(admin: TestClient) -> None:
    dup = admin.post("/api/users", json={"username": "ａｄｍｉｎ", "password": GOOD, "role": "readonly"})
    assert dup.status_code == 409 and "已存在" in dup.json()["detail"]
    assert admin.post("/api/users", json={"username": "Admin", "password": GOOD, "role": "readonly"}).status_code == 409
    created = make_user(admin, "ｓｃｈｏｏｌ１")
    assert created["username"] == "school1"
    assert login(TestClient(admin.app), "school1", GOOD).status_code == 200
    assert login(TestClient(admin.app), "ｓｃｈｏｏｌ１", GOOD).status_code == 200


@pytest.mark.parametrize(
    ("username", "named"),
    [
        ("ad\u0007min", "U+0007"),
        ("new\nuser", "U+000A"),
        ("ad\u200bmin", "零宽空格 U+200B"),
        ("ad\u200cmin", "U+200C"),
        ("ad\u200dmin", "U+200D"),
        ("ad\u2060min", "U+2060"),
        ("\ufeffadmin", "U+FEFF"),
        ("\u202eadmin", "双向文字控制符 U+202E"),
        ("ad\u202amin", "U+202A"),
        ("ad\u2066min\u2069", "U+2066"),
        ("ad\u200emin", "U+200E"),
        ("ad\u200fmin", "U+200F"),
    ],
)
def test_invisible_and_control_characters_in_a_username_are_refused(
    admin: TestClient, username: str, named: str
) -> None:
    r = admin.post("/api/users", json={"username": username, "password": GOOD, "role": "readonly"})
    assert r.status_code == 422 and named in r.json()["detail"], r.text
    assert len(admin.get("/api/users").json()) == 1


def test_username_length_is_1_to_64_characters(admin: TestClient) -> None:
    for name in ("", "   ", "u" * 65):
        r = admin.post("/api/users", json={"username": name, "password": GOOD, "role": "readonly"})
        assert r.status_code == 422 and "1 到 64 个字符" in r.json()["detail"], r.text
    assert make_user(admin, "u" * 64)["username"] == "u" * 64


# ------------------------------------------------------------------------------------------ length limits


def test_oversized_text_fields_are_refused_before_they_reach_the_database(admin: TestClient) -> None:
    huge = "x" * (20 * 2**20)
    cases = [
        ("POST", "/api/tokens", {"name": huge}),
        ("POST", "/api/tokens", {"name": "n" * 101}),
        ("POST", "/api/auth/login", {"username": "u" * 201, "password": "whatever-pass"}),
        ("POST", "/api/auth/login", {"username": "admin", "password": "p" * 1025}),
        ("POST", "/api/users", {"username": "u" * 201, "password": GOOD, "role": "readonly"}),
        ("POST", "/api/users", {"username": "ok-name", "password": GOOD, "role": "school", "school_name": "校" * 201}),
        ("POST", "/api/auth/password", {"old_password": "p" * 1025, "new_password": GOOD}),
        ("POST", "/api/auth/password", {"old_password": ADMIN_PASSWORD, "new_password": huge}),
    ]
    me = admin.get("/api/me").json()
    cases.append(("PATCH", f"/api/users/{me['id']}", {"password": huge}))
    for method, url, body in cases:
        r = admin.request(method, url, json=body)
        assert r.status_code == 422, (url, r.status_code)
        assert r.json()["detail"][0]["type"] == "string_too_long"
    assert admin.get("/api/tokens").json() == []
    assert admin.get("/api/audit", params={"action": "token.create"}).json() == []
    assert len(admin.get("/api/users").json()) == 1
    assert admin.get("/api/me").status_code == 200  # the password did not change
