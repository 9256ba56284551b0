"""Stopping and idling, against the CLI in a subprocess (issue 12, items 6 and 14)."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable, Iterator

import httpx
import pytest

from tests.conftest import training_lines
from tests.e2e.conftest import CliServer, start_cli

SHUTDOWN_TIMEOUT = 1.0


@pytest.fixture
def hanging_receiver() -> Iterator[str]:
    """A receiver that accepts connections (the kernel does) and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/hook"
    listener.close()


def _send(server: CliServer, raw: bytes) -> socket.socket:
    host, port = server.url.removeprefix("http://").rsplit(":", 1)
    conn = socket.create_connection((host, int(port)), timeout=10)
    conn.sendall(raw)
    return conn


def _post(path: str, body: dict[str, object]) -> bytes:
    data = json.dumps(body).encode()
    head = f"POST {path} HTTP/1.1\r\nhost: x\r\nauthorization: Bearer sk-x\r\ncontent-type: application/json\r\n"
    return head.encode() + f"content-length: {len(data)}\r\n\r\n".encode() + data


def test_sigterm_abandons_a_stalled_upload_a_long_fault_and_a_hanging_advance_within_the_deadline(
    hanging_receiver: str, record_property: Callable[[str, object], None]
) -> None:
    server = start_cli(
        "--port", "0", "--clock", "manual", "--webhook-url", hanging_receiver,
        "--webhook-timeout", "600",
        env={"MOCKSERVER_SHUTDOWN_TIMEOUT": str(SHUTDOWN_TIMEOUT)},  # the flag's environment twin
    )  # fmt: skip
    held: list[socket.socket] = []
    try:
        api = httpx.Client(base_url=server.base_url, headers={"authorization": "Bearer sk-x"}, timeout=10)
        file_id = api.post("/files", files={"file": ("t.jsonl", training_lines())}, data={"purpose": "fine-tune"})
        job = api.post("/fine_tuning/jobs", json={"model": "gpt-4o-mini", "training_file": file_id.json()["id"]})
        api.post(f"/fine_tuning/jobs/{job.json()['id']}/cancel")  # its event now waits on the hanging receiver
        httpx.post(f"{server.url}/_mock/faults", json={"path": "/v1/models", "delay": 120}).raise_for_status()
        held.append(_send(server, _post("/_mock/clock/advance", {"seconds": 60})))
        held.append(_send(server, b"GET /v1/models HTTP/1.1\r\nhost: x\r\nauthorization: Bearer sk-x\r\n\r\n"))
        upload = b"POST /v1/files HTTP/1.1\r\nhost: x\r\nauthorization: Bearer sk-x\r\n"
        upload += b"content-type: multipart/form-data; boundary=b\r\ncontent-length: 1000000\r\n\r\n--b\r\n"
        held.append(_send(server, upload))
        # Answered after the loop has read the three requests above, which arrived first: they are in flight.
        assert httpx.get(f"{server.url}/_mock/health", timeout=5).status_code == 200
        api.close()
    finally:
        started = time.monotonic()
        status = server.stop(timeout=SHUTDOWN_TIMEOUT + 10)
        took = time.monotonic() - started
        for conn in held:
            conn.close()
    output = "".join(server.output)
    assert status == 0, output
    assert took < SHUTDOWN_TIMEOUT + 2, output
    for what in ("POST /v1/files", "GET /v1/models", "POST /_mock/clock/advance"):
        assert f"abandoned at shutdown: {what}" in output
    assert "undelivered webhook: fine_tuning.job.cancelled" in output
    assert "Traceback" not in output
    record_property(
        "figure", f"SIGTERM with 3 stuck requests, --shutdown-timeout {SHUTDOWN_TIMEOUT:g}: exit 0 in {took:.2f} s"
    )


def test_idle_connections_are_closed_even_before_a_request() -> None:
    server = start_cli("--port", "0", "--clock", "manual", "--keep-alive-timeout", "1")
    try:
        silent = [_send(server, b"") for _ in range(20)]
        used = _send(server, b"GET /_mock/health HTTP/1.1\r\nhost: x\r\n\r\n")
        started = time.monotonic()
        for conn in [*silent, used]:
            conn.settimeout(5)
            while conn.recv(65536):  # the health answer, then the close
                pass
            conn.close()
        assert time.monotonic() - started < 4
        assert httpx.get(f"{server.url}/_mock/health", timeout=5).status_code == 200
    finally:
        assert server.stop() == 0
