"""A scriptable receiver behind `httpx.MockTransport`, and verification by two independent verifiers."""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from mockserver import Settings, create_app

SECRET = "whsec_RdvaYFYUXuIFuEbvZHwMfYFhUf7aMYjYcmM24+Aj40c="
HOOK_URL = "http://hooks.test/openai"

Answer = int | httpx.Response | Exception | Callable[[httpx.Request], Any]


class Receiver:
    """Records each request; answers from a script (`then(500, 500, 200)`), else 200."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self._script: deque[Answer] = deque()

    def then(self, *answers: Answer) -> None:
        self._script.extend(answers)

    async def handle(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        self.requests.append(request)
        answer: Answer = self._script.popleft() if self._script else 200
        if isinstance(answer, Exception):
            raise answer
        if callable(answer):
            answer = await answer(request)
        if isinstance(answer, int):
            return httpx.Response(answer, text="ok" if answer < 300 else "nope")
        assert isinstance(answer, httpx.Response)
        return answer

    def events(self) -> list[dict[str, Any]]:
        return [json.loads(request.content) for request in self.requests]


@pytest.fixture
def receiver() -> Receiver:
    return Receiver()


@pytest.fixture
def settings() -> Settings:
    return Settings(clock="manual", seed=42, webhook_urls=(HOOK_URL,), webhook_secret=SECRET, webhook_timeout=0.5)


@pytest.fixture
def app(settings: Settings, receiver: Receiver) -> Starlette:
    return create_app(settings, webhook_transport=httpx.MockTransport(receiver.handle))
