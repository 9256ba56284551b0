"""Shared fixtures: a fresh app on a manual clock, the official SDK bound to it in-process, and a check of every
response against OpenAI's published spec."""

from __future__ import annotations

import inspect
import os
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, cast

import httpx
import openai
import pytest
from starlette.applications import Starlette
from starlette.exceptions import StarletteDeprecationWarning

from mockserver import Settings, create_app
from mockserver.answers import CHECK_VARIABLE
from mockserver.services import Services
from tests.openapi import ResponseChecker, Spec, load_spec

pytest_plugins = ["pytester"]


ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
BASE_URL = "http://mockserver.test"
API_KEY = "sk-test"


def pytest_configure(config: pytest.Config) -> None:
    """Every answer served from the answer cache is compared with a fresh serialisation (`mockserver.answers`), so
    the whole suite checks that no change leaves a stale answer behind; servers started as subprocesses inherit it.
    Set here rather than on import: the bench imports this module, and must measure the mock as users run it."""
    os.environ[CHECK_VARIABLE] = "1"


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print the figures tests recorded (`record_property("figure", ...)`): under xdist too, unlike print()."""
    figures = [
        value
        for report in terminalreporter.getreports("passed")
        for name, value in report.user_properties
        if name == "figure"
    ]
    if figures:
        terminalreporter.section("mockserver figures")
        for figure in figures:
            terminalreporter.line(str(figure))


@pytest.fixture(scope="session")
def spec() -> Spec:
    return load_spec()


@pytest.fixture
def settings() -> Settings:
    """Override in a test module (or with indirect parametrisation) to configure the app."""
    return Settings(clock="manual", seed=1234)


@pytest.fixture
def app(settings: Settings) -> Starlette:
    return create_app(settings)


@pytest.fixture
def services(app: Starlette) -> Services:
    services: Services = app.state.services
    return services


@pytest.fixture
def checker(spec: Spec) -> Iterator[ResponseChecker]:
    """Checks every response of the clients built on it against OpenAI's spec; fails the test if one is off."""
    checker = ResponseChecker(spec)
    yield checker
    checker.assert_clean()


@pytest.fixture
async def http(app: Starlette, checker: ResponseChecker) -> AsyncIterator[httpx.AsyncClient]:
    """Raw HTTP to the app, in-process; every response is checked against the spec."""
    transport = httpx.ASGITransport(app=app)
    hooks = {"response": [checker.async_hook]}
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL, event_hooks=hooks) as client:
        client.headers["Authorization"] = f"Bearer {API_KEY}"
        yield client


AppClient = Callable[..., httpx.AsyncClient]


@pytest.fixture
def app_client(checker: ResponseChecker) -> AppClient:
    """Raw HTTP to an app of the test's own making (another configuration than `settings`), in-process, every
    response checked against the spec unless `checked=False`: `async with app_client(app) as http: ...`."""

    def make(app: Starlette, *, checked: bool = True, base_url: str = BASE_URL) -> httpx.AsyncClient:
        hooks = {"response": [checker.async_hook]} if checked else {}
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url, event_hooks=hooks)

    return make


@pytest.fixture
def client(http: httpx.AsyncClient) -> openai.AsyncOpenAI:
    """The official async SDK, answered in-process by the app (both openai 2.x and 3.x accept an httpx client)."""
    # openai 3.x types `http_client` as an httpx2 client but accepts a legacy httpx one at runtime; 2.x types httpx.
    return openai.AsyncOpenAI(api_key=API_KEY, base_url=f"{BASE_URL}/v1", http_client=cast(Any, http), max_retries=0)


@pytest.fixture
def sync_http(app: Starlette, checker: ResponseChecker) -> Iterator[httpx.Client]:
    """Raw sync HTTP to the app, in-process (starlette's test client), every response checked against the spec."""
    with warnings.catch_warnings():
        # starlette's test client runs on httpx2 where installed (openai 3.x's venv) and warns that it is deprecated
        # on httpx (openai 2.x's venv), where it still works: the import is here so that only this fixture pays.
        warnings.simplefilter("ignore", StarletteDeprecationWarning)
        from starlette.testclient import TestClient

        client = TestClient(app, base_url=BASE_URL, headers={"Authorization": f"Bearer {API_KEY}"})
    client.event_hooks = {"request": [], "response": [checker.sync_hook]}
    # Not entered as a context manager: that would run the app's lifespan in the client's own thread, where the
    # async fixtures (httpx.ASGITransport) run none.
    yield cast(httpx.Client, client)
    client.close()


@pytest.fixture(params=["async", "sync"])
def make_sdk(request: pytest.FixtureRequest, http: httpx.AsyncClient) -> Callable[..., Any]:
    """Builds the official SDK client of the parametrised kind (sync or async), in-process, with every response
    checked against the spec; strict response validation on unless told otherwise."""
    kind = openai.AsyncOpenAI if request.param == "async" else openai.OpenAI
    transport = http if request.param == "async" else request.getfixturevalue("sync_http")

    def make(*, strict: bool = True) -> Any:
        return kind(
            api_key=API_KEY,
            base_url=f"{BASE_URL}/v1",
            http_client=cast(Any, transport),
            max_retries=0,
            _strict_response_validation=strict,
        )

    return make


@pytest.fixture
def sdk(make_sdk: Callable[..., Any]) -> Any:
    """The SDK (sync and async, one test each) with strict response validation, as some teams run it."""
    return make_sdk()


async def resolve(result: Any) -> Any:
    """What an SDK call gave: the async client's awaited, the sync client's as it is (one test body for both)."""
    return await result if inspect.isawaitable(result) else result


Advance = Callable[[float], Awaitable[dict[str, Any]]]


@pytest.fixture
def advance(http: httpx.AsyncClient) -> Advance:
    """Move the manual clock through the control API and return its answer."""

    async def advance(seconds: float) -> dict[str, Any]:
        response = await http.post("/_mock/clock/advance", json={"seconds": seconds})
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        return answer

    return advance


def training_lines(count: int = 12) -> bytes:
    lines = (FIXTURES / "training" / "valid.jsonl").read_text().splitlines()
    return ("\n".join((lines * (count // len(lines) + 1))[:count]) + "\n").encode()


@pytest.fixture
def upload(client: openai.AsyncOpenAI) -> Callable[..., Awaitable[str]]:
    """Upload a training file and return its id."""

    async def upload(content: bytes | None = None, *, filename: str = "train.jsonl", purpose: str = "fine-tune") -> str:
        file = await client.files.create(
            file=(filename, training_lines() if content is None else content),
            purpose=purpose,  # type: ignore[arg-type]
        )
        return file.id

    return upload
