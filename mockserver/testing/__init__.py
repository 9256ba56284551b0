"""The public test API: a live server, an in-process mock, and webhook receivers."""

from __future__ import annotations

from mockserver.testing.controls import ControlError, ServerError
from mockserver.testing.inprocess import InProcessMock
from mockserver.testing.live import MockServer
from mockserver.testing.receiver import InProcessReceiver, WebhookReceiver

__all__ = ["ControlError", "InProcessMock", "InProcessReceiver", "MockServer", "ServerError", "WebhookReceiver"]
