"""The pytest plugin, active once mockserver is installed (entry point `pytest11`).

Fixtures: `mock_openai_server` (a live server per session, reset before each test), `openai_client`, `mock_openai`
(in process, no sockets), `webhook_receiver`. Marker: `@pytest.mark.mockserver(phases=..., seed=...,
scenario=..., **settings)` gives one test a server configured its way. A failing test's report shows the mock's
log and its webhook delivery log.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, TypeVar

import pytest
from pydantic import ValidationError

from mockserver.settings import Settings, describe_errors
from mockserver.testing.controls import DEFAULT_API_KEY, HARNESS_ARGUMENTS, Harness
from mockserver.testing.inprocess import InProcessMock
from mockserver.testing.live import MockServer
from mockserver.testing.receiver import WebhookReceiver

if TYPE_CHECKING:
    import openai

_USED = pytest.StashKey[list[MockServer | InProcessMock]]()
M = TypeVar("M", MockServer, InProcessMock)

MARKER = (
    "mockserver(phases=None, seed=None, scenario=None, faults=None, **settings): configure the mock OpenAI server of "
    "this test (phases: simulated seconds per lifecycle phase; scenario: the default outcome; faults: a list of "
    "fault rules, as for inject_fault(); settings: any mockserver Settings field)"
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", MARKER)


def _faults(request: pytest.FixtureRequest) -> list[dict[str, Any]]:
    marker = request.node.get_closest_marker("mockserver")
    return list(marker.kwargs.get("faults") or []) if marker is not None else []


def _options(request: pytest.FixtureRequest) -> dict[str, Any] | None:
    """The marker's settings for this test (faults aside), or None when it has none."""
    marker = request.node.get_closest_marker("mockserver")
    if marker is None:
        return None
    if marker.args:
        raise pytest.UsageError("@pytest.mark.mockserver takes keyword arguments only")
    options = {key: value for key, value in marker.kwargs.items() if key != "faults"}
    if not options:
        return None
    if "scenario" in options:
        options["default_scenario"] = options.pop("scenario")
    _check_marker(options)
    return options


def _check_marker(options: dict[str, Any]) -> None:
    """Refuse a bad marker setting in the marker's own terms (`scenario`, not the `Settings` field behind it)."""
    fields = {key: value for key, value in options.items() if key not in HARNESS_ARGUMENTS}
    if fields.get("phases") is None:  # `Harness` reads a missing or None `phases` as "the defaults"
        fields.pop("phases", None)
    try:
        Settings(**fields)
    except ValidationError as exc:
        problems = describe_errors(exc, lambda field: _MARKER_NAMES.get(field, field))
    else:
        return
    # Outside the `except`, and without a traceback: either would show the `Settings` field names this avoids.
    pytest.fail(f"@pytest.mark.mockserver: {problems}", pytrace=False)


# Marker arguments whose `Settings` field has another name.
_MARKER_NAMES = {"default_scenario": "scenario"}


@contextlib.contextmanager
def _for_test(request: pytest.FixtureRequest, mock: M) -> Iterator[M]:
    """Give a test its mock: remembered for the failure report, the marker's faults in place, checked afterwards."""
    request.node.stash.setdefault(_USED, []).append(mock)
    for rule in _faults(request):
        mock.inject_fault(**rule)
    yield mock
    mock.check()


@pytest.fixture(scope="session")
def _mockserver_session() -> Iterator[MockServer]:
    # One per session, and so one per pytest-xdist worker: workers never share a server.
    with MockServer(clock="manual") as server:
        yield server


@pytest.fixture
def mock_openai_server(request: pytest.FixtureRequest) -> Iterator[MockServer]:
    """A live mock server on 127.0.0.1 (manual clock), clean at the start of each test."""
    options = _options(request)
    if options is None:
        server: MockServer = request.getfixturevalue("_mockserver_session")
        server.reset()
        with _for_test(request, server):
            yield server
    else:
        options.setdefault("clock", "manual")
        with MockServer(**options) as server, _for_test(request, server):
            yield server


@pytest.fixture
def openai_client(mock_openai_server: MockServer) -> Iterator[openai.OpenAI]:
    """An `openai.OpenAI` bound to `mock_openai_server`, with `max_retries=0`."""
    client = mock_openai_server.client()
    yield client
    client.close()


@pytest.fixture
def mock_openai(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[InProcessMock]:
    """A fresh app answering `openai.OpenAI()` / `AsyncOpenAI()` (default base URL) in process, without sockets."""
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    options = _options(request) or {}
    # Whatever key the environment holds (a real one, on a developer's machine) is replaced for the test, so that
    # a real key never reaches the mock, its journal or a failure report.
    options.setdefault("api_key", DEFAULT_API_KEY)
    monkeypatch.setenv("OPENAI_API_KEY", options["api_key"])
    with InProcessMock(**options) as mock, _for_test(request, mock):
        yield mock


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    """A webhook receiver on 127.0.0.1 that verifies and records; pass it to `add_webhook_endpoint()`."""
    with WebhookReceiver() as receiver:
        yield receiver


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()  # type: ignore[attr-defined]
    if report.when != "call" or not report.failed:
        return
    for mock in item.stash.get(_USED, []):
        kind = "mock_openai" if isinstance(mock, InProcessMock) else "mock_openai_server"
        report.sections.append((f"{kind}: server log", "\n".join(mock.log.lines) or "(empty)"))
        report.sections.append((f"{kind}: webhook deliveries", _deliveries(mock)))


def _deliveries(mock: Harness) -> str:
    try:
        return mock.delivery_summary()
    except Exception as exc:  # a report must never fail because the server it describes is gone
        return f"(unavailable: {exc!r})"
