"""A mock OpenAI API server for tests and CI.

`import mockserver` stays light: `MockServer`, which brings uvicorn, is imported when it is first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mockserver.app import create_app
from mockserver.clock import Clock, ManualClock, SystemClock
from mockserver.errors import APIError
from mockserver.settings import Settings

if TYPE_CHECKING:
    from mockserver.testing.live import MockServer

__version__ = "0.1.0"

__all__ = ["__version__", "APIError", "Clock", "create_app", "ManualClock", "MockServer", "Settings", "SystemClock"]


def __getattr__(name: str) -> Any:
    if name == "MockServer":
        from mockserver.testing.live import MockServer

        return MockServer
    raise AttributeError(f"module 'mockserver' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), "MockServer"})
