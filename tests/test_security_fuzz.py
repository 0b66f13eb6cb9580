"""Property-based attack on the whole HTTP API from its own OpenAPI schema (schemathesis).

Every operation gets generated inputs — valid and invalid bodies, huge numbers, odd strings — sent as an admin
with an API token through the real app. The properties: no 5xx, and every answer conforms to the documented
response schema. Operations that would end the test's own access (revoking its token, deactivating or
re-passwording its admin, logging out) are left out so the run keeps exercising the rest.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import response_schema_conformance

from api.app import create_app
from testkit.forms import PENGZHOU, stats_docx
from tests.api_fixtures import ADMIN_PASSWORD, make_settings, wait_batch, wait_record

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

pytestmark = pytest.mark.slow

# Operations that would revoke the fuzzer's own credentials: covered by the account tests instead.
_SELF_LOCKOUT = r"^/api/(auth/(logout|password)|tokens/\{[^}]+\}|users/\{[^}]+\}(/password)?)$"


class _App:
    def __init__(self, app: Any, token: str) -> None:
        self.app = app
        self.token = token


@pytest.fixture(scope="module")
def running_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_App]:
    data: Path = tmp_path_factory.mktemp("fuzz") / "data"
    app = create_app(make_settings(data, f"sqlite:///{data.parent / 'docgen.db'}"))
    with TestClient(app) as client:
        r = client.post("/api/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD})
        assert r.status_code == 200, r.text
        csrf = client.cookies.get("docgen_csrf")
        headers = {"X-CSRF-Token": csrf, "Origin": "http://testserver"} if csrf else {}
        r = client.post("/api/tokens", json={"name": "fuzz"}, headers=headers)
        assert r.status_code == 201, r.text
        token = r.json()["token"]
        auth = {"Authorization": f"Bearer {token}"}
        # A program with a roster, so ids 1.. exist and the deeper code paths run.
        r = client.post(
            "/api/programs", files={"file": ("program.yaml", (PENGZHOU / "program.yaml").read_bytes())}, headers=auth
        )
        assert r.status_code == 201, r.text
        roster = {"file": ("roster.txt", (PENGZHOU / "roster.txt").read_bytes())}
        r = client.post("/api/programs/1/roster", files=roster, headers=auth)
        assert r.status_code == 200, r.text
        # a finished DOCX batch (documents, a ZIP) and a read upload (a record), so ids 1.. of those exist too
        client.headers.update(auth)
        r = client.post("/api/programs/1/batches", json={"pdf": False})
        assert r.status_code == 202, r.text
        r = client.post("/api/programs/1/uploads", files=[("files", ("03.docx", stats_docx("03")))])
        assert r.status_code == 202, r.text
        wait_record(client, int(r.json()[0]["id"]))
        assert wait_batch(client, 1)["status"] == "done"
        # then the worker stops: what the fuzzer queues stays queued (no batch of 71 documents per example)
        app.state.services.worker.stop()
        app.state.services.worker = None
        yield _App(app, token)


def _operation_labels() -> list[str]:
    # The schema does not depend on the running state: read it off an app that is never started.
    from api.settings import Settings

    app = create_app(Settings(data_dir=Path("/nonexistent-docgen-fuzz")))
    schema = schemathesis.openapi.from_dict(app.openapi())
    labels = [result.ok().label for result in schema.get_all_operations()]
    return [label for label in labels if not re.match(_SELF_LOCKOUT, label.split(" ", 1)[1])]


@pytest.mark.parametrize("label", _operation_labels())
def test_no_operation_answers_5xx_or_breaks_its_schema(label: str, running_app: _App) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", running_app.app)
    operation = schema.find_operation_by_label(label)
    assert operation is not None
    auth = {"Authorization": f"Bearer {running_app.token}"}

    @given(case=operation.as_strategy())
    @settings(
        max_examples=15,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    )
    def attack(case: Any) -> None:
        response = case.call(headers=auth)
        assert response.status_code < 500, f"{label} → {response.status_code}: {response.text[:500]}"
        if response.status_code < 300:
            case.validate_response(response, checks=[response_schema_conformance])

    attack()
