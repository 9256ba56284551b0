"""Webhook deliveries verified by two independent verifiers, the official SDK's `unwrap()` and `standardwebhooks`,
never by the mock's own code: whatever a test received, on loopback or through an injected transport."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import openai
import standardwebhooks


class Delivered(Protocol):
    @property
    def headers(self) -> Mapping[str, str]: ...

    @property
    def content(self) -> bytes: ...


def verify_both(delivery: Delivered, secret: str) -> Any:
    """Verify with standardwebhooks and with the SDK; return the SDK's parsed event (raises on a bad signature)."""
    body = delivery.content.decode()
    headers = dict(delivery.headers)
    standardwebhooks.Webhook(secret).verify(body, headers)
    return openai.OpenAI(api_key="unused").webhooks.unwrap(body, headers, secret=secret)
