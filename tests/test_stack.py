"""The stack a server runs on: the fast one where installed, a clean fallback where not, and a refusal (not a
silent swap) when a missing one is asked for."""

from __future__ import annotations

import httpx
import pytest

from mockserver import MockServer, Settings, stack as stacks
from mockserver.connections import IdleClosingH11
from mockserver.stack import Stack


def test_auto_takes_the_fast_stack_when_it_is_installed() -> None:
    assert Stack.choose() == Stack("httptools", "uvloop")  # both are dependencies where they build
    assert Stack.choose("h11", "asyncio").protocol() is IdleClosingH11


def test_auto_falls_back_where_they_are_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stacks, "_installed", lambda module: False)
    assert Stack.choose() == Stack("h11", "asyncio")
    with pytest.raises(ValueError, match=r"httptools is not installed \(pip install httptools\)"):
        Settings(http="httptools")


@pytest.mark.parametrize("stack", [Stack("h11", "asyncio"), Stack("httptools", "uvloop")], ids=str)
def test_a_live_server_answers_on_either_stack(stack: Stack) -> None:
    with MockServer(http=stack.http, loop=stack.loop) as server:
        client = server.client()
        assert client.models.list().data
        with httpx.Client() as http:  # a connection that says nothing is closed by either stack's protocol
            assert http.get(f"{server.url}/_mock/health").json() == {"status": "ok"}
