"""The request envelope at its edges (issue 12): a client gone mid-body (item 10), a bug's 500 that keeps the
connection (item 15), the key checked before any fault rule (item 15), and bounded journal bodies (item 13)."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.types import Message

from mockserver import Settings, create_app
from mockserver.journal import KEPT_BODY_BYTES
from mockserver.services import Services
from tests.conftest import AppClient


async def _call(app: Starlette, method: str, path: str, messages: list[Message], **headers: str) -> list[Message]:
    """Drive the ASGI app by hand: `messages` are what the client sends; returns what the app sent back. Any
    exception escaping the app fails the test, as uvicorn would log it and close the connection."""
    incoming = iter(messages)
    sent: list[Message] = []

    async def receive() -> Message:
        return next(incoming, {"type": "http.disconnect"})

    async def send(message: Message) -> None:
        sent.append(message)

    scope: dict[str, Any] = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "", "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
        "headers": [(b"authorization", b"Bearer sk-test"), *((k.encode(), v.encode()) for k, v in headers.items())],
    }  # fmt: skip
    await app(scope, receive, send)
    return sent


@pytest.mark.parametrize(
    ("path", "content_type"),
    [("/v1/files", "multipart/form-data; boundary=x"), ("/v1/fine_tuning/jobs", "application/json")],
)
async def test_a_client_that_disconnects_mid_body_is_not_an_error(
    app: Starlette, services: Services, caplog: pytest.LogCaptureFixture, path: str, content_type: str
) -> None:
    first = {"type": "http.request", "body": b"--x\r\ncontent-disposition: form-data; name=", "more_body": True}
    await _call(app, "POST", path, [first], **{"content-type": content_type, "content-length": "100000"})
    assert services.errors == []
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
    entry = next(services.journal.newest_first())
    assert (entry.path, entry.status) == (path, 0)


async def test_a_bug_is_a_500_envelope_that_does_not_escape_the_app(
    app: Starlette, services: Services, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: object) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(services.store.files, "newest_first", broken)
    sent = await _call(app, "GET", "/v1/files", [{"type": "http.request", "body": b""}])
    assert sent[0]["status"] == 500
    assert b'"type":"server_error"' in sent[1]["body"] and not sent[1].get("more_body")
    assert [type(error) for error in services.errors] == [RuntimeError]
    assert len([record for record in caplog.records if record.levelno >= logging.ERROR]) == 1
    # And the app still serves the next request on the same (kept-alive) connection.
    monkeypatch.undo()
    assert (await _call(app, "GET", "/v1/files", [{"type": "http.request", "body": b""}]))[0]["status"] == 200


async def test_the_key_is_checked_before_any_fault_rule(app_client: AppClient) -> None:
    app = create_app(Settings(clock="manual", api_keys=("sk-good",)))
    async with app_client(app, base_url="http://mock.test") as http:
        await http.post("/_mock/faults", json={"path": "/v1/models", "status": 503, "times": 1})
        refused = await http.get("/v1/models", headers={"authorization": "Bearer sk-bad"})
        assert refused.status_code == 401
        assert (await http.get("/_mock/faults")).json()["data"][0]["remaining"] == 1
        faulted = await http.get("/v1/models", headers={"authorization": "Bearer sk-good"})
        assert faulted.status_code == 503
        assert (await http.get("/_mock/faults")).json()["data"] == []


async def test_the_journal_holds_no_more_of_a_body_than_it_keeps(
    http: httpx.AsyncClient, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    held: list[int] = []
    add = services.journal.add

    def spy(**record: Any) -> None:
        held.append(len(record["body"]))
        add(**record)

    monkeypatch.setattr(services.journal, "add", spy)
    big = b'{"a": 1}\n' * 200_000  # 1.8 MB
    response = await http.post("/v1/files", files={"file": ("big.jsonl", big)}, data={"purpose": "batch"})
    assert response.status_code == 200
    assert held == [KEPT_BODY_BYTES + 1]
    entry = (await http.get("/_mock/requests")).json()["data"][0]
    assert entry["body"].endswith("bytes, not kept>") and int(entry["body"][1:].split()[0]) > len(big)
