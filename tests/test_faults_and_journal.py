"""`/_mock/faults` and `/_mock/requests`: the official SDK's retries against injected failures, and the journal."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, cast

import httpx
import openai
import pytest

from mockserver import MockServer
from mockserver.auth import DEFAULT_PROJECT
from tests.conftest import API_KEY, BASE_URL, Advance, AppClient

Upload = Callable[..., Awaitable[str]]


def retrying(http: httpx.AsyncClient, retries: int = 2) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(
        api_key=API_KEY, base_url=f"{BASE_URL}/v1", http_client=cast(Any, http), max_retries=retries
    )


async def _fault(http: httpx.AsyncClient, **rule: Any) -> dict[str, Any]:
    response = await http.post("/_mock/faults", json=rule)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


async def test_the_sdk_retries_a_429_after_retry_after_and_then_succeeds(http: httpx.AsyncClient) -> None:
    fault = await _fault(http, path="/v1/models", status=429, retry_after=0.01, times=2)
    assert (fault["id"], fault["remaining"]) == ("fault_1", 2)
    models = await retrying(http).models.list()
    assert models.data
    journal = (await http.get("/_mock/requests", params={"path": "/v1/models"})).json()["data"]
    assert [entry["status"] for entry in journal] == [200, 429, 429]  # newest first
    assert (await http.get("/_mock/faults")).json()["data"] == []  # spent


async def test_the_429_is_the_real_rate_limit_error(http: httpx.AsyncClient, client: openai.AsyncOpenAI) -> None:
    await _fault(http, path="/v1/fine_tuning/jobs*", method="GET", status=429, retry_after=7)
    response = await http.get("/v1/fine_tuning/jobs")
    assert response.status_code == 429
    assert response.headers["retry-after"] == "7" and response.headers["retry-after-ms"] == "7000"
    error = response.json()["error"]
    assert (error["type"], error["code"]) == ("requests", "rate_limit_exceeded")
    assert error["message"].startswith("Rate limit reached for requests")
    with pytest.raises(openai.RateLimitError):
        await client.fine_tuning.jobs.list()
    assert (
        await http.post("/v1/files", files={"file": ("a.jsonl", b"{}")}, data={"purpose": "batch"})
    ).status_code == 200


@pytest.mark.parametrize(
    ("status", "exception"), [(500, openai.InternalServerError), (503, openai.InternalServerError)]
)
async def test_server_errors_exhaust_the_sdks_retries(
    http: httpx.AsyncClient, status: int, exception: type[Exception]
) -> None:
    await _fault(http, path="/v1/models/*", status=status, retry_after=0.01)
    with pytest.raises(exception):
        await retrying(http, retries=2).models.retrieve("gpt-4o-mini")
    assert len((await http.get("/_mock/requests", params={"status": str(status)})).json()["data"]) == 3


async def test_a_share_of_requests_and_both_url_styles(http: httpx.AsyncClient) -> None:
    await _fault(http, path="/v1/models", status=500, rate=0.5)
    statuses = [(await http.get("/v1/models")).status_code for _ in range(40)]
    statuses += [(await http.get("/openai/v1/models")).status_code for _ in range(40)]
    assert 10 < statuses.count(500) < 70 and statuses.count(200) > 10


@pytest.mark.parametrize("path", ["/v1/models", "/openai/v1/models", "/openai/models?api-version=2024-10-21"])
async def test_one_v1_rule_covers_every_url_style(http: httpx.AsyncClient, path: str) -> None:
    await _fault(http, path="/v1/models", status=503, times=1)
    assert (await http.get(path, headers={"api-key": API_KEY})).status_code == 503
    assert (await http.get(path, headers={"api-key": API_KEY})).status_code == 200  # the rule was spent


async def test_faults_are_listed_removed_and_cleared(http: httpx.AsyncClient) -> None:
    first = await _fault(http, path="/v1/files", status=500)
    await _fault(http, path="/v1/batches", delay=0.01)
    assert len((await http.get("/_mock/faults")).json()["data"]) == 2
    assert (await http.delete(f"/_mock/faults/{first['id']}")).json()["deleted"] is True
    assert (await http.delete("/_mock/faults/fault_nope")).status_code == 404
    assert len((await http.delete("/_mock/faults")).json()["data"]) == 1
    assert (await http.get("/_mock/faults")).json()["data"] == []


@pytest.mark.parametrize(
    ("rule", "param"),
    [
        ({"path": "/v1/models"}, None),
        ({"path": "/v1/models", "status": 200}, "status"),
        ({"path": "/v1/models", "status": 500, "drop": True}, None),
        ({"path": "/v1/models", "status": 500, "rate": 2}, "rate"),
        ({"status": 500}, "path"),
    ],
)
async def test_bad_fault_rules_are_400s(http: httpx.AsyncClient, rule: dict[str, Any], param: str | None) -> None:
    response = await http.post("/_mock/faults", json=rule)
    assert response.status_code == 400
    assert response.json()["error"]["param"] == param


async def test_the_journal_records_what_clients_sent(
    http: httpx.AsyncClient, client: openai.AsyncOpenAI, upload: Upload, advance: Advance
) -> None:
    training = await upload()
    await client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=training, suffix="journal")
    await http.get("/v1/fine_tuning/jobs/ftjob-nope")
    await http.get("/_mock/health")  # the control API is not journaled
    entries = (await http.get("/_mock/requests")).json()["data"]
    assert [(e["method"], e["path"], e["status"]) for e in entries] == [
        ("GET", "/v1/fine_tuning/jobs/ftjob-nope", 404),
        ("POST", "/v1/fine_tuning/jobs", 200),
        ("POST", "/v1/files", 200),
    ]
    create = entries[1]
    assert create["body"] == {"model": "gpt-4o-mini", "training_file": training, "suffix": "journal"}
    assert create["project"] == DEFAULT_PROJECT and create["id"].startswith("mreq_")
    assert entries[2]["body"].startswith("<multipart body")
    posts = (await http.get("/_mock/requests", params={"method": "post", "path": "/v1/fine_tuning/*"})).json()["data"]
    assert len(posts) == 1
    await http.post("/_mock/reset")
    assert (await http.get("/_mock/requests")).json()["data"] == []


async def test_the_journal_is_bounded(app_client: AppClient) -> None:
    from mockserver import Settings, create_app

    app = create_app(Settings(clock="manual", journal_size=3))
    async with app_client(app) as http:
        http.headers["Authorization"] = f"Bearer {API_KEY}"
        for index in range(5):
            await http.get(f"/v1/models/m{index}")
        paths = [e["path"] for e in (await http.get("/_mock/requests")).json()["data"]]
        assert paths == ["/v1/models/m4", "/v1/models/m3", "/v1/models/m2"]


async def test_refused_requests_are_journaled_with_the_status_they_got(app_client: AppClient) -> None:
    from mockserver import Settings, create_app

    app = create_app(Settings(clock="manual", max_body_bytes=100))
    async with app_client(app) as http:
        too_large = await http.post(
            "/v1/fine_tuning/jobs", content=b"{" + b" " * 200 + b"}", headers={"Authorization": f"Bearer {API_KEY}"}
        )
        assert too_large.status_code == 413
        assert (await http.get("/v1/models")).status_code == 401  # no key
        entries = (await http.get("/_mock/requests")).json()["data"]
    assert [(e["method"], e["path"], e["status"], e["project"]) for e in entries] == [
        ("GET", "/v1/models", 401, None),
        ("POST", "/v1/fine_tuning/jobs", 413, None),
    ]


async def test_a_dropped_connection_is_journaled_with_status_0(http: httpx.AsyncClient) -> None:
    await _fault(http, path="/v1/models", drop=True, times=1)
    # httpx's ASGI transport asserts that a response completes; a socket transport raises a transport error.
    with pytest.raises((AssertionError, httpx.TransportError)):
        await http.get("/v1/models")
    assert (await http.get("/v1/models")).status_code == 200
    entries = (await http.get("/_mock/requests")).json()["data"]
    assert [(e["path"], e["status"]) for e in entries] == [("/v1/models", 200), ("/v1/models", 0)]


@pytest.mark.e2e
def test_a_delay_trips_the_clients_timeout_and_a_drop_its_connection_error() -> None:
    with MockServer() as server:
        client = server.client(timeout=0.3)
        server.inject_fault("/v1/models", delay=1, times=1)
        with pytest.raises(openai.APITimeoutError):
            client.models.list()
        server.inject_fault("/v1/models", drop=True, times=1)
        with pytest.raises(openai.APIConnectionError):
            client.models.list()
        # With retries, the SDK gets past one dropped connection on its own.
        server.inject_fault("/v1/models", drop=True, times=1)
        assert server.client(max_retries=2).models.list().data
        server.check()
        client.close()


@pytest.mark.e2e
def test_the_marker_injects_faults(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(
        """
import openai
import pytest

@pytest.mark.mockserver(faults=[{"path": "/v1/models", "status": 503, "times": 1}])
def test_first_call_fails(mock_openai_server, openai_client):
    with pytest.raises(openai.InternalServerError):
        openai_client.models.list()
    assert openai_client.models.list().data
    assert [r["status"] for r in mock_openai_server.requests()] == [200, 503]
"""
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)
