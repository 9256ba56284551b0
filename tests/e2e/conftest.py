"""The CLI in a subprocess, as CI starts it: `python -m mockserver serve --port 0 ...`."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from mockserver import MockServer
from tests.conftest import ROOT
from tests.e2e.receiver import LoopbackReceiver
from tests.openapi import ResponseChecker

READY_LINE = re.compile(r"listening on (http://\S+) \(OpenAI base_url: (\S+), clock: (\w+)\)")
LISTEN_LINE = re.compile(r"receiving webhooks on (http://\S+?/)(?:,|\s|$)")


@dataclass
class CliServer:
    process: subprocess.Popen[str]
    url: str
    base_url: str
    output: list[str] = field(default_factory=list)

    def advance(self, seconds: float) -> dict[str, object]:
        response = httpx.post(f"{self.url}/_mock/clock/advance", json={"seconds": seconds}, timeout=10)
        response.raise_for_status()
        answer: dict[str, object] = response.json()
        return answer

    def stop(self, timeout: float = 10) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            if self.process.stdout is not None:
                self.process.stdout.close()


def _pump(stream: object, lines: queue.Queue[str], sink: list[str]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        sink.append(line)
        lines.put(line)


def start_cli(
    *args: str,
    env: dict[str, str] | None = None,
    timeout: float = 15,
    ready: re.Pattern[str] = READY_LINE,
    check_health: bool = True,
    admin_token: str | None = None,
    program: Sequence[str] = (sys.executable, "-m", "mockserver"),
    cwd: Path = ROOT,
) -> CliServer:
    """Start the server and wait for its ready line; raise with its output if it exits instead."""
    process = subprocess.Popen(
        [*program, *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        env={**os.environ, **(env or {})},
    )
    lines: queue.Queue[str] = queue.Queue()
    output: list[str] = []
    threading.Thread(target=_pump, args=(process.stdout, lines, output), daemon=True).start()
    while True:
        try:
            line = lines.get(timeout=timeout)
        except queue.Empty:
            process.kill()
            raise RuntimeError("mockserver printed no ready line:\n" + "".join(output)) from None
        match = ready.search(line)
        if match:
            url = match.group(1)
            server = CliServer(process, url, match.group(2) if match.re.groups > 1 else url, output)
            if check_health:
                headers = {"Authorization": f"Bearer {admin_token}"} if admin_token else {}
                try:
                    httpx.get(f"{server.url}/_mock/health", headers=headers, timeout=5).raise_for_status()
                except Exception:
                    server.stop()
                    raise
            return server
        if process.poll() is not None and lines.empty():
            raise RuntimeError("mockserver exited:\n" + "".join(output))


def start_listen(*args: str) -> CliServer:
    """`mockserver listen --port 0`; `url` is where deliveries go."""
    return start_cli("listen", "--port", "0", *args, ready=LISTEN_LINE, check_health=False)


@pytest.fixture(scope="module")
def cli_server() -> Iterator[CliServer]:
    server = start_cli("serve", "--host", "127.0.0.1", "--port", "0", "--clock", "manual", "--seed", "7")
    yield server
    server.stop()


@pytest.fixture
def live(cli_server: CliServer) -> CliServer:
    httpx.post(f"{cli_server.url}/_mock/reset", timeout=5).raise_for_status()
    return cli_server


@pytest.fixture
def sdk(checker: ResponseChecker) -> Iterator[Callable[..., openai.OpenAI]]:
    """Build sync SDK clients whose every response is checked against the spec; closed when the test ends."""
    built: list[openai.OpenAI] = []

    def build(base_url: str | None, api_key: str = "sk-e2e", azure: bool = False, **options: Any) -> openai.OpenAI:
        """`options` go to the client (`_strict_response_validation`, `default_headers`, Azure's `azure_endpoint`)."""
        http_client: Any = httpx.Client(event_hooks={"response": [checker.sync_hook]}, timeout=30)
        options = {"api_key": api_key, "base_url": base_url, "max_retries": 0, "http_client": http_client, **options}
        if azure:
            client: openai.OpenAI = openai.AzureOpenAI(**{"api_version": "preview", **options})
        else:
            client = openai.OpenAI(**options)
        built.append(client)
        return client

    yield build
    for client in built:
        client.close()


@pytest.fixture
def async_sdk(checker: ResponseChecker) -> Callable[..., openai.AsyncOpenAI]:
    """Build async SDK clients checked against the spec; use them as `async with` so they close."""

    def build(base_url: str, api_key: str = "sk-e2e") -> openai.AsyncOpenAI:
        http_client: Any = httpx.AsyncClient(event_hooks={"response": [checker.async_hook]}, timeout=30)
        return openai.AsyncOpenAI(api_key=api_key, base_url=base_url, max_retries=0, http_client=http_client)

    return build


# -- a server whose --webhook-url is a real receiver, shared by a module's tests and reset between them -------------

SECRET = "whsec_" + "c2VjcmV0LWZvci1lMmUtd2ViaG9vay10ZXN0cy0wMQ=="


@pytest.fixture(scope="module")
def receiver() -> Iterator[LoopbackReceiver]:
    receiver = LoopbackReceiver()
    yield receiver
    receiver.close()


@pytest.fixture(scope="module")
def hooked_server(receiver: LoopbackReceiver) -> Iterator[CliServer]:
    server = start_cli(
        "--port", "0", "--clock", "manual", "--webhook-url", receiver.url, "--webhook-secret", SECRET,
        "--webhook-timeout", "0.5",
    )  # fmt: skip
    yield server
    server.stop()


@pytest.fixture
def hooked(hooked_server: CliServer, receiver: LoopbackReceiver) -> CliServer:
    # The last test's deliveries finish first: one still in flight would otherwise arrive after the clear below.
    httpx.post(f"{hooked_server.url}/_mock/webhooks/settle", timeout=10).raise_for_status()
    httpx.post(f"{hooked_server.url}/_mock/reset", timeout=5).raise_for_status()
    receiver.clear()
    return hooked_server


@pytest.fixture
def mock_server_factory() -> Iterator[Callable[..., MockServer]]:
    """Start `MockServer`s configured per test (any `Settings` field); stopped when the test ends."""
    started: list[MockServer] = []

    def start(**options: Any) -> MockServer:
        server = MockServer(**options).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
