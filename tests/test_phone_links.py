"""Phone upload links (issue 11, item 4): a signed, expiring link to one slot in each blank form's QR code.

The domain (docgen.upload_links: sign, verify, expiry; the QR and the printed hint of a form) and the service
(the link's page and upload: what it grants, and nothing else).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import cv2
import numpy as np
import pytest

from api.settings import Settings
from docgen.extraction import FormIdentity
from docgen.files import load_program
from docgen.forms import load_schemas
from docgen.forms.generate import QR_PART, UPLOAD_HINT, form_context, qr_png, render_form
from docgen.model import PairGroup, School
from docgen.render.docx import CompiledTemplate
from docgen.upload_links import LinkRefused, UploadLink, expiry, identity_in, verify
from extractors.image import qr_text
from testkit import docx_inspect as di
from testkit.forms import PENGZHOU, stats_docx
from tests.api_fixtures import (
    TestClient,
    create_pengzhou,
    make_settings,
    running_client,
    wait_batch,
    wait_record,
)

ROOT = Path(__file__).resolve().parent.parent
FORMS = ROOT / "docgen" / "templates" / "forms"
SECRET = "test-secret"
BASE = "http://192.168.1.20:8000"
SLOT = FormIdentity("pengzhou-heishui-2019", "04", "activity_stats", 1)  # 彭州市清平小学 — 黑水县扎窝中心校
TODAY = date(2026, 11, 29)


def qr_of_png(png: bytes) -> str:
    """The text of the QR code in ``png``, as the scan reader reads it."""
    return qr_text(cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_GRAYSCALE))


def qr_of_docx(docx: bytes) -> str:
    """What a generated blank form's QR code says."""
    with zipfile.ZipFile(io.BytesIO(docx)) as z:
        return qr_of_png(z.read(QR_PART))


# ------------------------------------------------------------------------------------------ the domain


def test_a_link_carries_the_form_code_and_verifies_to_its_slot() -> None:
    link = UploadLink(7, SLOT, TODAY + timedelta(days=30))
    url = link.url(BASE + "/", SECRET)
    assert url.startswith(f"{BASE}/m/DG1:pengzhou-heishui-2019:04:activity_stats:1/7.")
    assert identity_in(url) == SLOT.code  # the scan reader finds the code inside the link
    _, _, code, token = urlsplit(url).path.split("/")
    assert verify(SECRET, code, token, TODAY) == link
    assert verify(SECRET, code, token, link.expires) == link  # the last day still works
    assert len(url) < 110  # short enough for a 20 mm QR code a phone reads at arm's length


def test_every_link_in_a_qr_code_reads_back_whatever_its_port_program_and_expiry() -> None:
    # OpenCV's classic detector alone missed about 1 clean code in 40, depending on the payload (CI once
    # drew such a port); the reader must read every code we print.
    unread = []
    for n in range(120):
        form = ("activity_stats", "filing", "liaison_reply")[n % 3]
        slot = FormIdentity(f"program-{n % 7}", f"{n % 40:02d}", form, 1)
        link = UploadLink(1 + n * 37, slot, TODAY + timedelta(days=n))
        url = link.url(f"http://127.0.0.1:{30000 + n * 211}", SECRET)
        if qr_of_png(qr_png(url)) != url:
            unread.append(url)
    assert unread == []


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda c, t: (c.replace(":04:", ":05:"), t), "被改动"),  # another pair
        (lambda c, t: (c.replace("activity_stats", "filing"), t), "被改动"),  # another form
        (lambda c, t: (c, "8" + t[1:]), "被改动"),  # another program
        (lambda c, t: (c, t.replace(".", ".9", 1)), "被改动"),  # a later expiry
        (lambda c, t: (c, t[:-2] + ("AA" if not t.endswith("AA") else "BB")), "被改动"),  # another signature
        (lambda c, t: (c, t.rsplit(".", 1)[0]), "不完整"),
        (lambda c, t: ("not-a-code", t), "不完整"),
    ],
)
def test_a_tampered_link_is_refused_with_the_reason(change: object, words: str) -> None:
    code, token = SLOT.code, UploadLink(7, SLOT, TODAY + timedelta(days=30)).token(SECRET)
    bad_code, bad_token = change(code, token)  # type: ignore[operator]
    with pytest.raises(LinkRefused, match=words):
        verify(SECRET, bad_code, bad_token, TODAY)


def test_a_link_signed_with_another_secret_or_expired_is_refused() -> None:
    link = UploadLink(7, SLOT, TODAY - timedelta(days=1))
    with pytest.raises(LinkRefused, match="被改动"):
        verify("another-server", SLOT.code, link.token(SECRET), TODAY - timedelta(days=5))
    with pytest.raises(LinkRefused, match="已于 2026年11月28日 过期"):
        verify(SECRET, SLOT.code, link.token(SECRET), TODAY)


def test_a_link_lasts_until_30_days_after_the_period_or_180_days_or_the_setting() -> None:
    assert expiry(TODAY, date(2027, 6, 30)) == date(2027, 7, 30)
    assert expiry(TODAY, None) == TODAY + timedelta(days=180)
    assert expiry(TODAY, date(2019, 12, 31)) == TODAY + timedelta(days=180)  # a period long over
    assert expiry(TODAY, date(2027, 6, 30), days=10) == date(2026, 12, 9)


def test_a_blank_form_with_a_link_has_it_in_its_qr_code_and_prints_the_hint(tmp_path: Path) -> None:
    program = load_program(PENGZHOU / "program.yaml")
    group = PairGroup(3, (School("彭州市西郊小学"),), (School("黑水县芦花完全小学校"),))
    schema = load_schemas()["activity_stats"]
    template = CompiledTemplate.compile((FORMS / "activity_stats.docx").read_bytes(), "activity_stats.docx")
    url = UploadLink(7, FormIdentity(program.key, "03", "activity_stats", schema.version), TODAY).url(BASE, SECRET)
    with_link = render_form(template, schema, form_context(program, group, schema, upload_url=url))
    plain = render_form(template, schema, form_context(program, group, schema))
    assert qr_of_docx(with_link) == url
    code = f"DG1:{program.key}:03:activity_stats:{schema.version}"
    assert qr_of_docx(plain) == code  # the CLI's forms: the identity alone
    for docx, hint in ((with_link, True), (plain, False)):
        path = tmp_path / "f.docx"
        path.write_bytes(docx)
        header = "".join(di.text_nodes(path, "word/header1.xml"))
        assert code in header  # the printed code stays, for OCR and for people
        assert (UPLOAD_HINT in header) is hint


def test_a_scan_of_a_form_with_a_link_is_read_back_to_its_identity() -> None:
    """The reader of a returned scan finds the form's code inside the link QR, at the printed size (20 mm at
    200 dpi = 157 px), as it finds a bare code."""
    from docgen.forms.generate import qr_png
    from extractors.image import read_image
    from testkit.scan_fixtures import FakeEngine

    url = UploadLink(7, SLOT, TODAY).url(BASE, SECRET)
    qr = cv2.imdecode(np.frombuffer(qr_png(url), np.uint8), cv2.IMREAD_GRAYSCALE)
    side = 157
    page = np.full((2339, 1654), 255, np.uint8)
    page[150 : 150 + side, 1300 : 1300 + side] = cv2.resize(qr, (side, side), interpolation=cv2.INTER_AREA)
    ok, png = cv2.imencode(".png", page)
    assert ok
    read = read_image(png.tobytes(), "scan.png", engine=FakeEngine())
    assert SLOT.code in read.identity_codes


# ------------------------------------------------------------------------------------------ the service


def _settings(tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {"public_base_url": BASE, **overrides}
    return make_settings(tmp_path / "data", f"sqlite:///{tmp_path / 'docgen.db'}", **values)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, int, str]]:
    """The 彭州 program with a DOCX batch made with links on; yields (admin client, program id, pair 04's
    统计表 link path ``/m/<code>/<token>``)."""
    tmp = tmp_path_factory.mktemp("phone")
    with running_client(_settings(tmp)) as admin:
        program_id = create_pengzhou(admin)
        job = admin.post(f"/api/programs/{program_id}/batches", json={"pdf": False}).json()
        assert wait_batch(admin, job["id"])["status"] == "done"
        docs = admin.get(f"/api/programs/{program_id}/documents").json()
        form = next(d for d in docs if d["pair_label"] == "04" and d["kind"] == "form:activity_stats")
        url = qr_of_docx(admin.get(f"/api/documents/{form['id']}/download").content)
        assert url.startswith(f"{BASE}/m/DG1:pengzhou-heishui-2019:04:activity_stats:")
        yield admin, program_id, urlsplit(url).path


def test_the_link_page_says_which_slot_it_is_for_without_an_account_or_cookie(
    world: tuple[TestClient, int, str],
) -> None:
    admin, _, path = world
    phone = TestClient(admin.app)
    page = phone.get(path)
    assert page.status_code == 200 and "/static/phone.js" in page.text
    r = phone.get("/api/links" + path.removeprefix("/m"))
    assert r.status_code == 200, r.text
    slot = r.json()
    assert slot["pair_label"] == "04" and slot["form_title"] == "教育交流活动情况统计表"
    assert slot["supporting"] == ["彭州市清平小学"] and slot["supported"] == ["黑水县扎窝中心校"]
    assert slot["school"] == "" and date.fromisoformat(slot["expires"]) > date.today()
    assert "set-cookie" not in r.headers and "set-cookie" not in page.headers
    # a per-school form (the 2:1 group 03's second supporting school) names its school
    admin_docs = admin.get(f"/api/programs/{world[1]}/documents").json()
    form = next(d for d in admin_docs if d["pair_label"] == "03" and d["kind"] == "form:activity_stats#2")
    url = qr_of_docx(admin.get(f"/api/documents/{form['id']}/download").content)
    assert ":03.2:activity_stats:" in url
    per_school = phone.get("/api/links" + urlsplit(url).path.removeprefix("/m")).json()
    assert per_school["pair_label"] == "03.2" and per_school["school"] == "彭州市九尺镇小学"


def test_an_upload_through_the_link_reaches_the_program_filed_under_its_pair(
    world: tuple[TestClient, int, str],
) -> None:
    admin, program_id, path = world
    phone = TestClient(admin.app)
    api = "/api/links" + path.removeprefix("/m")
    mine = stats_docx("04", "彭州市清平小学", activities=("扫码送教",))
    r = phone.post(f"{api}/uploads", files=[("files", ("统计表.docx", mine))])
    assert r.status_code == 202, r.text
    body = r.json()
    assert body["receipt"].startswith("已收到 1 个文件，作为") and "结对 04 的教育交流活动情况统计表" in body["receipt"]
    assert "set-cookie" not in r.headers
    upload_id = body["files"][0]["id"]
    record = wait_record(admin, upload_id)
    assert record["pair_label"] == "04" and record["form"] == "activity_stats"
    listed = admin.get("/api/uploads", params={"program": program_id}).json()
    assert [u["via_link"] for u in listed if u["id"] == upload_id] == [True]
    events = admin.get("/api/audit", params={"action": "upload.create"}).json()
    links = [e["detail"].get("link") for e in events if e["target"] == f"upload:{upload_id}"]
    assert len(links) == 1 and links[0] == path.removeprefix("/m/").split("/")[0]


def test_a_file_for_another_pair_sent_through_the_link_is_held_not_filed_there(
    world: tuple[TestClient, int, str],
) -> None:
    admin, _, path = world
    phone = TestClient(admin.app)
    api = "/api/links" + path.removeprefix("/m")
    other = stats_docx("05", "彭州市丽春镇小学", activities=("别的结对",))
    r = phone.post(f"{api}/uploads", files=[("files", ("05.docx", other))])
    assert r.status_code == 202, r.text
    record = wait_record(admin, r.json()["files"][0]["id"])
    assert record["pair_label"] is None and record["mismatch"] == "pengzhou-heishui-2019:05"


def test_the_link_grants_nothing_else(world: tuple[TestClient, int, str]) -> None:
    admin, program_id, path = world
    phone = TestClient(admin.app)
    code, token = path.removeprefix("/m/").split("/")
    for url in ("/api/programs", f"/api/programs/{program_id}/documents", "/api/uploads", "/api/records"):
        assert phone.get(url, params={"t": token}).status_code == 401
        assert phone.get(url, headers={"Authorization": f"Bearer {token}"}).status_code == 401
    # another slot with this token: refused, with words
    for other in (code.replace(":04:", ":05:"), code.replace("activity_stats", "filing")):
        r = phone.post(f"/api/links/{other}/{token}/uploads", files=[("files", ("a.docx", stats_docx("05")))])
        assert r.status_code == 403 and "被改动" in r.json()["detail"]
    r = phone.get(f"/api/links/{code}/{token[:-3]}abc")
    assert r.status_code == 403 and "重新扫描" in r.json()["detail"]


def test_an_expired_link_is_refused_and_the_limits_of_uploads_apply(tmp_path: Path) -> None:
    with running_client(_settings(tmp_path, max_upload_bytes=200_000, max_queued_uploads_per_user=1,
                                  start_worker=False)) as admin:
        program_id = create_pengzhou(admin)
        phone = TestClient(admin.app)
        returned = stats_docx()  # once: python-docx stamps the time into the ZIP, and the last check wants a twin
        stale = UploadLink(program_id, SLOT, TODAY - timedelta(days=400)).path(SECRET).removeprefix("/m")
        r = phone.get(f"/api/links{stale}")
        assert r.status_code == 403 and "过期" in r.json()["detail"]
        r = phone.post(f"/api/links{stale}/uploads", files=[("files", ("a.docx", returned))])
        assert r.status_code == 403 and "过期" in r.json()["detail"]
        live = "/api/links" + UploadLink(program_id, SLOT, date.today() + timedelta(days=9)).path(SECRET)[2:]
        r = phone.post(f"{live}/uploads", files=[("files", ("setup.exe", b"MZ\x90\x00" + b"\x00" * 500))])
        assert r.status_code == 415 and "setup.exe" in r.json()["detail"]
        r = phone.post(f"{live}/uploads", files=[("files", ("big.jpg", b"\xff\xd8\xff" + b"\x00" * 300_000))])
        assert r.status_code == 413 and "超过上限" in r.json()["detail"]
        assert phone.post(f"{live}/uploads", files=[("files", ("a.docx", returned))]).status_code == 202
        r = phone.post(f"{live}/uploads", files=[("files", ("b.docx", stats_docx(activities=("另一份",))))])
        assert r.status_code == 429 and "上限" in r.json()["detail"]
        # a browser that also holds a staff session: the link route neither needs nor reads the cookie
        r = admin.post(f"{live}/uploads", files=[("files", ("a.docx", returned))], headers={"Origin": "http://x"})
        assert r.status_code == 202 and r.json()["files"][0]["duplicate"] is True


def test_without_a_base_url_the_forms_carry_their_code_alone(tmp_path: Path) -> None:
    with running_client(_settings(tmp_path, public_base_url="")) as admin:
        program_id = create_pengzhou(admin)
        job = admin.post(f"/api/programs/{program_id}/batches", json={"pdf": False}).json()
        assert wait_batch(admin, job["id"])["status"] == "done"
        docs = admin.get(f"/api/programs/{program_id}/documents").json()
        form = next(d for d in docs if d["pair_label"] == "04" and d["kind"] == "form:activity_stats")
        code = qr_of_docx(admin.get(f"/api/documents/{form['id']}/download").content)
        assert code.startswith("DG1:pengzhou-heishui-2019:04:activity_stats:") and "/" not in code
        assert admin.get(f"/api/programs/{program_id}/upload-links").json() == {"enabled": False, "expires": None}


def test_a_regenerated_blank_form_carries_a_link_with_the_validity_of_now(world: tuple[TestClient, int, str]) -> None:
    admin, program_id, _ = world
    docs = admin.get(f"/api/programs/{program_id}/documents").json()
    form = next(d for d in docs if d["pair_label"] == "04" and d["kind"] == "form:filing")
    r = admin.post(f"/api/documents/{form['id']}/regenerate")
    assert r.status_code == 200, r.text
    url = qr_of_docx(admin.get(f"/api/documents/{form['id']}/download").content)
    assert url.startswith(f"{BASE}/m/DG1:pengzhou-heishui-2019:04:filing:")
    slot = TestClient(admin.app).get("/api/links" + urlsplit(url).path.removeprefix("/m")).json()
    assert slot["form_title"] == "教育交流活动备案表" and slot["pair_label"] == "04"
    # 彭州's period is long over: 180 days from today, as the 批量生成 screen says
    assert date.fromisoformat(slot["expires"]) == date.today() + timedelta(days=180)
    said = admin.get(f"/api/programs/{program_id}/upload-links").json()
    assert said == {"enabled": True, "expires": slot["expires"]}
