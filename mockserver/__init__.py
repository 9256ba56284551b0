"""A mock OpenAI API server for tests and CI.

`import mockserver` stays light: `MockServer`, which brings uvicorn, is imported when it is first used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mockserver.app import create_app
from mockserver.clock import Clock, ManualClock, SystemClock
from mockserver.errors import APIError
from mockserver.schemas.receiver_check import ReceiverReport
from mockserver.settings import Settings
from mockserver.webhooks.receiver_check import check_receiver

if TYPE_CHECKING:
    from mockserver.testing.live import MockServer

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "APIError",
    "check_receiver",
    "Clock",
    "create_app",
    "ManualClock",
    "MockServer",
    "ReceiverReport",
    "Settings",
    "SystemClock",
]


def __getattr__(name: str) -> Any:
    if name == "MockServer":
        from mockserver.testing.live import MockServer

        return MockServer
    raise AttributeError(f"module 'mockserver' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), "MockServer"})
