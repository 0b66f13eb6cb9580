"""The role matrix: every operation of the HTTP API × seven identities, each with the outcome it must get.

The operations come from the app's own OpenAPI document, so a new route cannot be forgotten: it fails
``test_every_api_operation_has_a_row_in_the_role_matrix`` until someone writes down who may call it. The
identities, on one realistic program (彭州·黑水 with its roster, a finished DOCX batch, one returned 统计表
read per school):

* ``anonymous`` — no credentials;
* ``owner`` — the admin who created the program;
* ``other_admin`` — an admin of another bureau, with a program of its own;
* ``school`` — 彭州市西郊小学 (pair 03) of the program; the ids asked for are its pair's;
* ``other_school`` — 彭州市通济镇蓝天小学 (pair 07) of the same program;
* ``readonly`` — a read-only account of the program;
* ``school_token`` — an API token (``Authorization: Bearer``) of the ``school`` account.

Cookie identities send what the web UI sends (Origin, ``X-CSRF-Token``): this is about roles, not CSRF
(``tests/test_security.py``). Each request is built so that the allowed identities get a definite answer —
mostly 2xx; a 4xx of validation (``bad``: 400/409/413/415/422) where doing it for real would destroy the
world the next rows need (re-importing the roster, changing a password). Outcomes: ``ok`` 2xx, ``bad``,
``401``, ``403``, ``404``. Every mismatch is collected and printed; the test asserts there are none.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import re
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from api.app import create_app
from api.security import CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE
from api.settings import Settings
from testkit.forms import PENGZHOU, stats_docx
from tests.api_fixtures import (
    ADMIN_PASSWORD,
    create_pengzhou,
    login_client,
    make_settings,
    wait_batch,
    wait_record,
)

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

IDENTITIES = ("anonymous", "owner", "other_admin", "school", "other_school", "readonly", "school_token")
PASSWORD = "orchid-lantern-73"  # every account but the owner's (passes the password rule)
ORIGIN = "http://testserver"
XIJIAO = "彭州市西郊小学"  # pair 03: the school whose objects every row asks for
LANTIAN = "彭州市通济镇蓝天小学"  # pair 07
BAD_ROSTER = "支援学校,受援学校,学段\n彭州市丽春镇小学,彭州市丽春镇小学,小学\n".encode()  # a pair with itself
GOOD_ROSTER = "支援学校,受援学校,学段\n彭州市西郊小学,黑水县芦花完全小学校,小学\n".encode()
BUILTIN_TEMPLATE = "party_building"
TEMPLATE_DOCX = Path(__file__).resolve().parent.parent / "docgen" / "templates" / "party_building.docx"
_serial = itertools.count(1)


@dataclasses.dataclass
class Call:
    """One request of a row; ``headers`` replaces the identity's credentials when set (a fresh session)."""

    method: str
    url: str
    json: Any = None
    files: Any = None
    data: Any = None
    params: dict[str, Any] | None = None
    headers: dict[str, str] | None = None


@dataclasses.dataclass
class World:
    """The program and the objects every row asks about, and how each identity authenticates."""

    app: TestClient
    clients: dict[str, TestClient]  # logged-in clients for setup steps (never used for the rows themselves)
    creds: dict[str, dict[str, str]] = dataclasses.field(default_factory=dict)
    program: int = 0
    other_program: int = 0
    batch: int = 0
    document: int = 0
    upload: int = 0
    record: int = 0
    school_user: int = 0
    spare_user: int = 0  # a school account of the program that rows may deactivate/reactivate
    users: dict[str, str] = dataclasses.field(default_factory=dict)  # identity -> username

    def password(self, who: str) -> str:
        return ADMIN_PASSWORD if who == "owner" else PASSWORD


def cookie_creds(client: TestClient) -> dict[str, str]:
    """What a browser signed in as ``client`` sends on a write: its cookies, Origin and CSRF token."""
    session, csrf = client.cookies.get(SESSION_COOKIE), client.cookies.get(CSRF_COOKIE)
    assert session and csrf
    return {"Cookie": f"{SESSION_COOKIE}={session}; {CSRF_COOKIE}={csrf}", CSRF_HEADER: csrf, "Origin": ORIGIN}


def fresh_session(w: World, who: str) -> dict[str, str] | None:
    """A new session of ``who`` (for rows that end the one they use); None keeps the identity's own."""
    if who in ("anonymous", "school_token"):
        return None
    return cookie_creds(login_client(w.app, w.users[who], w.password(who)))


def spare_token(w: World, who: str) -> Call:
    """DELETE a token of the ``school`` account made just for this row (the identity's own stays)."""
    r = w.clients["school"].post("/api/tokens", json={"name": f"spare-{who}"})
    assert r.status_code == 201, r.text
    return Call("DELETE", f"/api/tokens/{r.json()['id']}")


def queued_batch(w: World, who: str) -> Call:
    """Cancel a batch queued just for this row (the worker is stopped: it stays queued)."""
    r = w.clients["owner"].post(f"/api/programs/{w.program}/batches", json={"pdf": False})
    assert r.status_code == 202, r.text
    return Call("POST", f"/api/batches/{r.json()['id']}/cancel")


def owners_preview(w: World) -> dict[str, Any]:
    """A roster preview the owner made just now (only the owner may use it)."""
    r = w.clients["owner"].post(f"/api/programs/{w.program}/roster/preview", files={"file": ("r.csv", GOOD_ROSTER)})
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def new_program_data() -> dict[str, Any]:
    """The 彭州 program as the set-up form sends it, under a key of its own."""
    from docgen.files import load_program
    from docgen.program_file import json_data

    return dict(json_data(load_program(PENGZHOU / "program.yaml")), key=f"matrix-form-{next(_serial)}")


def new_program_yaml() -> str:
    text = (PENGZHOU / "program.yaml").read_text(encoding="utf-8")
    return text.replace("key: pengzhou-heishui-2019", f"key: matrix-{next(_serial)}", 1)


Build = Callable[[World, str], Call]


def phone_link(w: World) -> str:
    """``/<DG1 code>/<token>`` of pair 03's 统计表 link, signed with the test settings' secret."""
    from datetime import date, timedelta

    from docgen.extraction import FormIdentity
    from docgen.upload_links import UploadLink

    link = UploadLink(w.program, FormIdentity("pengzhou-heishui-2019", "03", "activity_stats", 1),
                      date.today() + timedelta(days=30))
    return link.path("test-secret").removeprefix("/m")


def same(method: str, url: str, **kwargs: Any) -> Build:
    """The same request for every identity; ``{program}``, ``{record}``… are filled from the world."""

    def build(w: World, who: str) -> Call:
        return Call(method, url.format(**vars(w)), **kwargs)

    return build


# anonymous owner other_admin school other_school readonly school_token
MATRIX: dict[str, tuple[Build, tuple[str, str, str, str, str, str, str]]] = {
    # --- accounts
    "POST /api/auth/login": (
        lambda w, who: Call("POST", "/api/auth/login", json={"username": w.users["readonly"], "password": PASSWORD}),
        ("ok", "ok", "ok", "ok", "ok", "ok", "ok"),
    ),
    "POST /api/auth/logout": (
        lambda w, who: Call("POST", "/api/auth/logout", headers=fresh_session(w, who)),
        ("ok", "ok", "ok", "ok", "ok", "ok", "ok"),
    ),
    "POST /api/auth/password": (
        # the right old password and a new one the rule refuses: checked, nothing changed
        lambda w, who: Call(
            "POST", "/api/auth/password", json={"old_password": w.password(who), "new_password": "short"}
        ),
        ("401", "bad", "bad", "bad", "bad", "bad", "bad"),
    ),
    "GET /api/me": (same("GET", "/api/me"), ("401", "ok", "ok", "ok", "ok", "ok", "ok")),
    # code → Chinese words for every status/role/form: public, reveals nothing of any program
    "GET /api/vocabulary": (same("GET", "/api/vocabulary"), ("ok", "ok", "ok", "ok", "ok", "ok", "ok")),
    "GET /api/tokens": (same("GET", "/api/tokens"), ("401", "ok", "ok", "ok", "ok", "ok", "ok")),
    "POST /api/tokens": (
        same("POST", "/api/tokens", json={"name": "matrix", "expires_days": 1}),
        ("401", "ok", "ok", "ok", "ok", "ok", "ok"),
    ),
    "DELETE /api/tokens/{token_id}": (spare_token, ("401", "ok", "404", "ok", "404", "404", "ok")),
    "GET /api/users": (same("GET", "/api/users"), ("401", "ok", "ok", "403", "403", "403", "403")),
    "POST /api/users": (
        lambda w, who: Call(
            "POST",
            "/api/users",
            json={
                "username": f"matrix-{next(_serial)}",
                "password": PASSWORD,
                "role": "readonly",
                "programs": [w.program],
            },
        ),
        ("401", "ok", "404", "403", "403", "403", "403"),
    ),
    "PATCH /api/users/{user_id}": (
        same("PATCH", "/api/users/{spare_user}", json={"active": True}),
        ("401", "ok", "404", "403", "403", "403", "403"),
    ),
    "GET /api/users/{user_id}/tokens": (
        same("GET", "/api/users/{school_user}/tokens"),
        ("401", "ok", "404", "403", "403", "403", "403"),
    ),
    # the 账号 screen: a spare school account's password reset (it hands back a one-time password), and the
    # schools of the admin's programs a school account may be given
    "POST /api/users/{user_id}/reset-password": (
        same("POST", "/api/users/{spare_user}/reset-password"),
        ("401", "ok", "404", "403", "403", "403", "403"),
    ),
    "GET /api/schools": (
        same("GET", "/api/schools?program={program}"),
        ("401", "ok", "404", "403", "403", "403", "403"),
    ),
    "GET /api/audit": (same("GET", "/api/audit"), ("401", "ok", "ok", "403", "403", "403", "403")),
    # --- programs and rosters
    "GET /api/programs": (same("GET", "/api/programs"), ("401", "ok", "ok", "ok", "ok", "ok", "ok")),
    "POST /api/programs": (
        lambda w, who: Call("POST", "/api/programs", json={"yaml": new_program_yaml()}),
        ("401", "ok", "ok", "403", "403", "403", "403"),
    ),
    "GET /api/programs/{program_id}": (
        same("GET", "/api/programs/{program}"),
        ("401", "ok", "404", "ok", "ok", "ok", "ok"),
    ),
    # --- program set-up (admins; the rows leave the world's program as it is)
    "GET /api/program-setup": (same("GET", "/api/program-setup"), ("401", "ok", "ok", "403", "403", "403", "403")),
    "GET /api/program-setup/key": (
        same("GET", "/api/program-setup/key", params={"year": 2019}),
        ("401", "ok", "ok", "403", "403", "403", "403"),
    ),
    "POST /api/program-setup": (
        lambda w, who: Call("POST", "/api/program-setup", json={"program": new_program_data()}),
        ("401", "ok", "ok", "403", "403", "403", "403"),
    ),
    "GET /api/programs/{program_id}/setup": (
        same("GET", "/api/programs/{program}/setup"),
        ("401", "ok", "404", "403", "403", "403", "403"),
    ),
    "PUT /api/programs/{program_id}/setup": (
        # a program with no agreement: checked and refused (422), nothing changed
        same("PUT", "/api/programs/{program}/setup", json={"program": {"key": "matrix-put", "name": "x"}}),
        ("401", "bad", "404", "403", "403", "403", "403"),
    ),
    "POST /api/programs/{program_id}/rename": (
        same("POST", "/api/programs/{program}/rename", json={"name": "彭州·黑水“校校结对”"}),
        ("401", "ok", "404", "403", "403", "403", "403"),
    ),
    "POST /api/programs/{program_id}/archive": (
        same("POST", "/api/programs/{program}/archive", json={"archived": False}),  # restore: a no-op here
        ("401", "ok", "404", "403", "403", "403", "403"),
    ),
    "GET /api/programs/{program_id}/file": (
        same("GET", "/api/programs/{program}/file"),
        ("401", "ok", "404", "403", "403", "403", "403"),
    ),
    "GET /api/programs/{program_id}/deletion": (
        same("GET", "/api/programs/{program}/deletion"),
        ("401", "ok", "404", "403", "403", "403", "403"),
    ),
    "DELETE /api/programs/{program_id}": (
        # without the confirmation: refused (422) after every check of who, nothing deleted
        same("DELETE", "/api/programs/{program}"),
        ("401", "bad", "404", "403", "403", "403", "403"),
    ),
    "POST /api/programs/{program_id}/roster": (
        # a roster with a row error: 422 and nothing replaced, so the pairs stay for the other rows
        same("POST", "/api/programs/{program}/roster", files={"file": ("坏花名册.csv", BAD_ROSTER)}),
        ("401", "bad", "404", "403", "403", "403", "403"),
    ),
    # a preview keeps a file for its owner only: every row asks with a preview the owner made just for it
    "POST /api/programs/{program_id}/roster/preview": (
        same("POST", "/api/programs/{program}/roster/preview", files={"file": ("花名册.csv", GOOD_ROSTER)}),
        ("401", "ok", "404", "403", "403", "403", "403"),
    ),
    "POST /api/programs/{program_id}/roster/preview/{preview_id}": (
        lambda w, who: Call(
            "POST",
            f"/api/programs/{w.program}/roster/preview/{owners_preview(w)['preview_id']}",
            json={"overrides": None},
        ),
        ("401", "ok", "404", "403", "403", "403", "403"),
    ),
    "DELETE /api/programs/{program_id}/roster/preview/{preview_id}": (
        lambda w, who: Call("DELETE", f"/api/programs/{w.program}/roster/preview/{owners_preview(w)['preview_id']}"),
        ("401", "ok", "404", "403", "403", "403", "403"),
    ),
    "POST /api/programs/{program_id}/roster/confirm": (
        # a stale diff token: the owner gets 409 and the roster stays for the other rows
        lambda w, who: Call(
            "POST",
            f"/api/programs/{w.program}/roster/confirm",
            json={"preview_id": owners_preview(w)["preview_id"], "diff_token": "0" * 32, "confirm": True},
        ),
        ("401", "bad", "404", "403", "403", "403", "403"),
    ),
    "GET /api/programs/{program_id}/school-names": (
        # the answer lists every school of the roster: the program's overview, like the 台账
        same("GET", "/api/programs/{program}/school-names"),
        ("401", "ok", "404", "404", "404", "ok", "404"),
    ),
    "PUT /api/programs/{program_id}/school-names": (
        same(
            "PUT",
            "/api/programs/{program}/school-names",
            json={"entries": [{"full_name": XIJIAO, "short_names": ["西郊小学"], "party_org": ""}]},
        ),
        ("401", "ok", "404", "403", "403", "403", "403"),
    ),
    "GET /api/programs/{program_id}/pairs": (
        same("GET", "/api/programs/{program}/pairs"),
        ("401", "ok", "404", "ok", "ok", "ok", "ok"),
    ),
    # --- batches and documents
    "POST /api/programs/{program_id}/batches": (
        same("POST", "/api/programs/{program}/batches", json={"pdf": False}),
        ("401", "ok", "404", "403", "403", "403", "403"),
    ),
    "GET /api/programs/{program_id}/batches": (
        # a school account sees no batch of its program (an empty list, as each job is 404 to it)
        same("GET", "/api/programs/{program}/batches"),
        ("401", "ok", "404", "ok", "ok", "ok", "ok"),
    ),
    "GET /api/batches/{job_id}": (same("GET", "/api/batches/{batch}"), ("401", "ok", "404", "404", "404", "ok", "404")),
    "POST /api/batches/{job_id}/cancel": (queued_batch, ("401", "ok", "404", "404", "404", "403", "404")),
    "GET /api/batches/{job_id}/download": (
        same("GET", "/api/batches/{batch}/download"),
        ("401", "ok", "404", "404", "404", "ok", "404"),
    ),
    "GET /api/programs/{program_id}/documents": (
        same("GET", "/api/programs/{program}/documents"),
        ("401", "ok", "404", "ok", "ok", "ok", "ok"),
    ),
    "GET /api/documents/{document_id}/download": (
        same("GET", "/api/documents/{document}/download"),
        ("401", "ok", "404", "ok", "404", "ok", "ok"),
    ),
    "POST /api/documents/{document_id}/regenerate": (
        same("POST", "/api/documents/{document}/regenerate"),
        ("401", "ok", "404", "403", "404", "403", "403"),
    ),
    "GET /api/programs/{program_id}/records/export": (
        same("GET", "/api/programs/{program}/records/export", params={"format": "csv"}),
        ("401", "ok", "404", "ok", "ok", "ok", "ok"),
    ),
    "GET /api/programs/{program_id}/ledger": (
        same("GET", "/api/programs/{program}/ledger"),
        ("401", "ok", "404", "404", "404", "ok", "404"),
    ),
    # --- phone upload links: the link is the credential, whoever calls (docgen.upload_links)
    "GET /api/programs/{program_id}/upload-links": (
        same("GET", "/api/programs/{program}/upload-links"),
        ("401", "ok", "404", "ok", "ok", "ok", "ok"),
    ),
    "GET /api/links/{code}/{token}": (lambda w, who: Call("GET", f"/api/links{phone_link(w)}"), ("ok",) * 7),
    "POST /api/links/{code}/{token}/uploads": (
        # a tampered link: refused for everyone, a session or token of any role adds nothing
        lambda w, who: Call(
            "POST",
            f"/api/links{phone_link(w)[:-2]}xx/uploads",
            files=[("files", (f"{who}.docx", stats_docx("03", XIJIAO, activities=(f"扫码-{who}",))))],
        ),
        ("403",) * 7,
    ),
    # --- targets and periodic reports (a school sees its own pairs' counts; the reports are the bureau's)
    "GET /api/programs/{program_id}/targets": (
        same("GET", "/api/programs/{program}/targets"),
        ("401", "ok", "404", "ok", "ok", "ok", "ok"),
    ),
    "GET /api/programs/{program_id}/reports/{key}": (
        same("GET", "/api/programs/{program}/reports/monthly", params={"year": 2019, "part": 4}),
        ("401", "ok", "404", "404", "404", "ok", "404"),
    ),
    # --- uploads and records
    "POST /api/programs/{program_id}/uploads": (
        lambda w, who: Call(
            "POST",
            f"/api/programs/{w.program}/uploads",
            files=[("files", (f"{who}.docx", stats_docx("03", XIJIAO, activities=(f"送教-{who}",))))],
        ),
        ("401", "ok", "404", "ok", "ok", "403", "ok"),
    ),
    "GET /api/uploads": (same("GET", "/api/uploads"), ("401", "ok", "ok", "ok", "ok", "ok", "ok")),
    "GET /api/uploads/{upload_id}": (
        same("GET", "/api/uploads/{upload}"),
        ("401", "ok", "404", "ok", "404", "ok", "ok"),
    ),
    "GET /api/uploads/{upload_id}/crop": (
        # the upload is a .docx: no page image, so the allowed get 422 (they got past every check of who)
        same("GET", "/api/uploads/{upload}/crop", params={"x0": 10, "y0": 10, "x1": 60, "y1": 40}),
        ("401", "bad", "404", "bad", "404", "bad", "bad"),
    ),
    "GET /api/records": (same("GET", "/api/records"), ("401", "ok", "ok", "ok", "ok", "ok", "ok")),
    "GET /api/records/{record_id}": (
        same("GET", "/api/records/{record}"),
        ("401", "ok", "404", "ok", "404", "ok", "ok"),
    ),
    "PATCH /api/records/{record_id}": (
        same("PATCH", "/api/records/{record}", json={"path": "fields/填报单位", "value": XIJIAO}),
        ("401", "ok", "404", "ok", "404", "403", "ok"),
    ),
    "POST /api/records/{record_id}/pair": (
        same("POST", "/api/records/{record}/pair", json={"pair": "03"}),
        ("401", "ok", "404", "403", "403", "403", "403"),
    ),
    "GET /api/records/{record_id}/corrections": (
        same("GET", "/api/records/{record}/corrections"),
        ("401", "ok", "404", "ok", "404", "ok", "ok"),
    ),
    "GET /api/records/{record_id}/document": (
        same("GET", "/api/records/{record}/document"),
        ("401", "ok", "404", "ok", "404", "ok", "ok"),
    ),
    # --- the collection board (回收情况) and the clerk's hold on what counts (a school gets its own rows)
    "GET /api/programs/{program_id}/board": (
        same("GET", "/api/programs/{program}/board"),
        ("401", "ok", "404", "ok", "ok", "ok", "ok"),
    ),
    "GET /api/programs/{program_id}/board/missing": (
        same("GET", "/api/programs/{program}/board/missing"),
        ("401", "ok", "404", "ok", "ok", "ok", "ok"),
    ),
    "GET /api/uploads/{upload_id}/page": (
        # the upload is a .docx: no page image, so the allowed get 422 (they got past every check of who)
        same("GET", "/api/uploads/{upload}/page"),
        ("401", "bad", "404", "bad", "404", "bad", "bad"),
    ),
    "GET /api/uploads/{upload_id}/original": (
        same("GET", "/api/uploads/{upload}/original"),
        ("401", "ok", "404", "ok", "404", "ok", "ok"),
    ),
    "POST /api/uploads/{upload_id}/exclude": (
        same("POST", "/api/uploads/{upload}/exclude", json={"reason": "matrix"}),
        ("401", "ok", "404", "403", "403", "403", "403"),
    ),
    "POST /api/uploads/{upload_id}/include": (  # after the row above: the owner brings it back
        same("POST", "/api/uploads/{upload}/include"),
        ("401", "ok", "404", "403", "403", "403", "403"),
    ),
    "GET /api/records/{record_id}/collection": (
        same("GET", "/api/records/{record}/collection"),
        ("401", "ok", "404", "ok", "404", "ok", "ok"),
    ),
    "POST /api/records/{record_id}/file": (
        same("POST", "/api/records/{record}/file", json={"form": "activity_stats", "pair": "03"}),
        ("401", "ok", "404", "403", "403", "403", "403"),
    ),
    "POST /api/records/{record_id}/unlink": (
        # the record is no copy of another: the owner gets 409
        same("POST", "/api/records/{record}/unlink"),
        ("401", "bad", "404", "403", "403", "403", "403"),
    ),
    # --- templates (built-in ones shared by every admin; uploaded ones per bureau: tests/test_security_redteam.py)
    "GET /api/templates": (same("GET", "/api/templates"), ("401", "ok", "ok", "403", "403", "403", "403")),
    "POST /api/templates": (
        lambda w, who: Call(
            "POST",
            "/api/templates",
            files={"file": ("模板.docx", TEMPLATE_DOCX.read_bytes())},
            data={"name": f"matrix_{next(_serial)}"},
        ),
        ("401", "ok", "ok", "403", "403", "403", "403"),
    ),
    "GET /api/templates/{name}/download": (
        same("GET", f"/api/templates/{BUILTIN_TEMPLATE}/download"),
        ("401", "ok", "ok", "403", "403", "403", "403"),
    ),
}


# who sees the program: a 404 on the program's own sub-resources (the 台账 for a school) hides nothing from them
PROGRAM_MEMBERS = {"owner", "school", "other_school", "readonly", "school_token"}
ID_IN_PATH = re.compile(r"/\d+(?=/|$)")
MISSING_ID = 987_654_321


def _detail_shape(body: str) -> str:
    """A 404's ``detail`` with its numbers blanked: ``记录 5 不存在`` and ``记录 987654321 不存在`` compare equal."""
    try:
        detail = json.loads(body).get("detail")
    except (ValueError, AttributeError):
        detail = body
    return re.sub(r"\d+", "N", str(detail))


def outcome(status: int) -> str:
    """The class of an answer as the matrix writes it."""
    if 200 <= status < 300:
        return "ok"
    if status in (400, 409, 413, 415, 422):
        return "bad"
    return str(status)


def api_operations() -> list[str]:
    """Every operation of the OpenAPI document, as ``METHOD /path``."""
    app = create_app(Settings(data_dir=Path("/nonexistent-docgen-roles")))  # never started: only its schema
    paths: dict[str, dict[str, Any]] = app.openapi()["paths"]
    methods = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
    return [f"{m.upper()} {path}" for path, item in paths.items() for m in item if m in methods]


def test_every_api_operation_has_a_row_in_the_role_matrix() -> None:
    operations = api_operations()
    assert len(operations) == len(set(operations))
    missing = sorted(set(operations) - set(MATRIX))
    assert not missing, f"operations with no expected outcome per identity (add them to MATRIX): {missing}"
    stale = sorted(set(MATRIX) - set(operations))
    assert not stale, f"rows for operations the API no longer has: {stale}"


# ------------------------------------------------------------------------------------------ the world


def _make_user(owner: TestClient, username: str, role: str, programs: list[int], school: str | None = None) -> int:
    body: dict[str, Any] = {"username": username, "password": PASSWORD, "role": role, "programs": programs}
    if school:
        body["school_name"] = school
    r = owner.post("/api/users", json=body)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def _upload(client: TestClient, program: int, name: str, data: bytes) -> int:
    r = client.post(f"/api/programs/{program}/uploads", files=[("files", (name, data))])
    assert r.status_code == 202, r.text
    return int(r.json()[0]["id"])


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    data = tmp_path / "data"
    settings = make_settings(data, f"sqlite:///{tmp_path / 'docgen.db'}")
    with TestClient(create_app(settings)) as app:
        owner = login_client(app, "admin", ADMIN_PASSWORD)
        w = World(app=app, clients={"owner": owner}, users={"owner": "admin"})
        w.program = create_pengzhou(owner)
        r = owner.post(f"/api/programs/{w.program}/batches", json={"pdf": False})
        assert r.status_code == 202, r.text
        w.batch = int(r.json()["id"])
        accounts = {
            "other_admin": ("admin", [], None),
            "school": ("school", [w.program], XIJIAO),
            "other_school": ("school", [w.program], LANTIAN),
            "readonly": ("readonly", [w.program], None),
        }
        for who, (role, programs, school) in accounts.items():
            w.users[who] = f"matrix-{who.replace('_', '-')}"
            user_id = _make_user(owner, w.users[who], role, programs, school)
            w.clients[who] = login_client(app, w.users[who], PASSWORD)
            if who == "school":
                w.school_user = user_id
        w.spare_user = _make_user(owner, "matrix-spare", "school", [w.program], XIJIAO)
        w.other_program = create_pengzhou(w.clients["other_admin"])
        r = w.clients["school"].post("/api/tokens", json={"name": "script"})
        assert r.status_code == 201, r.text
        w.creds = {who: cookie_creds(client) for who, client in w.clients.items()}
        w.creds["anonymous"] = {"Origin": ORIGIN}
        w.creds["school_token"] = {"Authorization": f"Bearer {r.json()['token']}"}
        # one returned 统计表 per school, read by the worker
        w.upload = _upload(w.clients["school"], w.program, "03.docx", stats_docx("03", XIJIAO))
        other_upload = _upload(w.clients["other_school"], w.program, "07.docx", stats_docx("07", LANTIAN))
        w.record = int(wait_record(owner, w.upload)["id"])
        wait_record(owner, other_upload)
        assert wait_batch(owner, w.batch)["status"] == "done"
        docs = owner.get(f"/api/programs/{w.program}/documents", params={"pair": "03"}).json()
        w.document = int(docs[0]["id"])
        # the worker stops: what the rows queue (batches, uploads) stays queued and the world stays as it is
        services = app.app.state.services  # type: ignore[attr-defined]
        services.worker.stop()
        services.worker = None
        yield w


# ------------------------------------------------------------------------------------------ the matrix


def send(w: World, who: str, call: Call) -> tuple[int, str]:
    """Send ``call`` as ``who`` through a cookie-less client; returns the status and the start of the body."""
    headers = dict(call.headers if call.headers is not None else w.creds[who])
    w.app.cookies.clear()  # nothing carries over from an earlier answer (a login's Set-Cookie)
    r = w.app.request(call.method, call.url, headers=headers, json=call.json, files=call.files, data=call.data,
                      params=call.params)  # fmt: skip
    w.app.cookies.clear()
    body = r.text if "json" in r.headers.get("content-type", "") else f"<{r.headers.get('content-type')}>"
    return r.status_code, body[:200]


@pytest.mark.slow
def test_every_identity_gets_the_expected_outcome_on_every_operation(world: World) -> None:
    started = time.monotonic()
    mismatches: list[str] = []
    checked = 0
    for label, (build, expected) in MATRIX.items():
        for who, want in zip(IDENTITIES, expected, strict=True):
            call = build(world, who)
            status, body = send(world, who, call)
            checked += 1
            if outcome(status) != want:
                mismatches.append(f"{label} as {who}: expected {want}, got {status} {body}")
            elif status == 404 and not ("{program_id}" in label and who in PROGRAM_MEMBERS):
                # a 404 must not tell "exists, but not yours" from "no such id": same answer as a missing id
                missing = dataclasses.replace(call, url=ID_IN_PATH.sub(f"/{MISSING_ID}", call.url))
                _, body_missing = send(world, who, missing)
                if _detail_shape(body) != _detail_shape(body_missing):
                    mismatches.append(f"{label} as {who}: 404 {body} differs from a missing id's {body_missing}")
    print(f"role matrix: {len(MATRIX)} operations × {len(IDENTITIES)} identities = {checked} requests, "
          f"{len(mismatches)} mismatches, {time.monotonic() - started:.1f} s")  # fmt: skip
    assert not mismatches, "\n" + "\n".join(mismatches)
    # the world is what the rows saw: the school's objects are still there (no row deleted one for the next)
    owner = world.clients["owner"]
    assert owner.get(f"/api/records/{world.record}").status_code == 200
    assert owner.get(f"/api/documents/{world.document}/download").status_code == 200
    assert json.loads(owner.get("/api/me").text)["username"] == "admin"
