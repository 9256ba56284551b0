"""A mock OpenAI API server for tests and CI."""

from __future__ import annotations

from mockserver.app import create_app
from mockserver.clock import Clock, ManualClock, SystemClock
from mockserver.errors import APIError
from mockserver.settings import Settings
from mockserver.testing.live import MockServer

__version__ = "0.1.0"

__all__ = ["APIError", "Clock", "ManualClock", "MockServer", "Settings", "SystemClock", "create_app", "__version__"]
