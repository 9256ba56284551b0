"""The stack a server runs on: uvicorn's fast one, httptools (a C HTTP parser) on uvloop (libuv's event loop),
where they are installed (they are dependencies where they build), else h11 on asyncio's loop. `--http` and
`--loop` choose; `auto` takes the fast one when it is there and falls back cleanly when not. On this project's
2-core machine the fast stack answers about three times the requests a second (`make bench`).

Light on purpose: `Settings` checks the choice here without importing uvicorn.
"""

from __future__ import annotations

import asyncio
import importlib.util
from dataclasses import dataclass
from typing import Any, Literal

HttpChoice = Literal["auto", "h11", "httptools"]
LoopChoice = Literal["auto", "asyncio", "uvloop"]


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


@dataclass(frozen=True)
class Stack:
    """The HTTP parser and event loop a server runs on."""

    http: Literal["h11", "httptools"]
    loop: Literal["asyncio", "uvloop"]

    @classmethod
    def choose(cls, http: HttpChoice = "auto", loop: LoopChoice = "auto") -> Stack:
        """What `auto` resolves to here: the fast one when it is installed. Asking for one that is not installed is
        refused (`ValueError`), never silently replaced."""
        for name, choice in (("httptools", http), ("uvloop", loop)):
            if choice == name and not _installed(name):
                raise ValueError(f"{name} is not installed (pip install {name}), so it cannot be used")
        chosen_http = ("httptools" if _installed("httptools") else "h11") if http == "auto" else http
        chosen_loop = ("uvloop" if _installed("uvloop") else "asyncio") if loop == "auto" else loop
        return cls(chosen_http, chosen_loop)

    def protocol(self) -> type[asyncio.Protocol]:
        """uvicorn's protocol for the parser, one that also closes connections that stay idle from the start."""
        from mockserver.connections import IdleClosingH11, idle_closing_httptools

        return IdleClosingH11 if self.http == "h11" else idle_closing_httptools()

    def config(self) -> dict[str, Any]:
        """What `uvicorn.Config` takes to run on this stack. Without uvicorn's proxy-headers layer: nothing in the
        mock reads the client's address, which is all `X-Forwarded-For` would change, and the layer is a call on
        every request."""
        return {"http": self.protocol(), "loop": self.loop, "proxy_headers": False}

    def __str__(self) -> str:
        return f"http: {self.http}, loop: {self.loop}"
