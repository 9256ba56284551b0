"""Webhook chaos: deliberately disturbed deliveries, so that a receiver's handling of what production can send is
tested (at-least-once, unordered, late, forged).

What an event's delivery gets is drawn once, when the event happens (`ChaosDice.plan`), from the dispatcher's own
seeded random: in the order events happen, not in the order concurrent attempts run, so a seeded run is repeatable.
A broken attempt (`BROKEN_KINDS`) goes out before the proper one and never counts as the delivery: whatever the
receiver answers, the event is then delivered properly (and retried as usual), so chaos never loses an event.
The same breakers build the receiver check's broken cases (`mockserver.webhooks.receiver_check`).
"""

from __future__ import annotations

import base64
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass

from mockserver.schemas.chaos import BROKEN_KINDS, BrokenKind, Chaos
from mockserver.webhooks.signing import TOLERANCE_SECONDS, generate_secret, signed_headers

# Twice the receiver's tolerance: wrong by any receiver's reckoning, even with a few minutes of clock skew.
SKEW_SECONDS = 2 * TOLERANCE_SECONDS
REQUIRED_HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")


@dataclass(frozen=True)
class ChaosPlan:
    """What one event's delivery to one endpoint gets."""

    broken: tuple[BrokenKind, ...] = ()
    duplicate: bool = False
    reorder: bool = False
    hold: float = 0.0  # when reordered: the longest it is held back
    delay: float = 0.0


class ChaosDice:
    def __init__(self, seed: int | None) -> None:
        self._seed = seed
        self.rng = random.Random(seed)

    def reseed(self) -> None:
        self.rng = random.Random(self._seed)

    def _roll(self, probability: float) -> bool:
        # Always draw, so that one setting at 0 or 1 does not shift the draws of the others.
        return self.rng.random() < probability

    def plan(self, chaos: Chaos | None) -> ChaosPlan | None:
        if chaos is None or not chaos.active:
            return None
        broken = tuple(kind for kind in BROKEN_KINDS if self._roll(getattr(chaos, kind)))
        duplicate = self._roll(chaos.duplicate)
        reorder = self._roll(chaos.reorder)
        delay = chaos.delay if self._roll(chaos.delay_rate) else 0.0
        return ChaosPlan(broken, duplicate, reorder, chaos.reorder_hold, delay)


def _tampered(body: bytes) -> bytes:
    """The body with its `created_at` moved by a second: still a well-formed event, which a receiver that does not
    verify would happily process."""
    try:
        event = json.loads(body)
        event["created_at"] = int(event["created_at"]) + 1
        return json.dumps(event, separators=(",", ":")).encode()
    except (ValueError, KeyError, TypeError):
        return body + b" "


def broken_request(
    kind: BrokenKind, *, secrets: Sequence[str], webhook_id: str, timestamp: int, body: bytes, rng: random.Random
) -> tuple[dict[str, str], bytes, str]:
    """The headers and body of a delivery broken in the way `kind` says, and a note on what exactly was done."""
    if kind == "stale_timestamp":
        return signed_headers(secrets, webhook_id, timestamp - SKEW_SECONDS, body), body, f"-{SKEW_SECONDS} s"
    if kind == "future_timestamp":
        return signed_headers(secrets, webhook_id, timestamp + SKEW_SECONDS, body), body, f"+{SKEW_SECONDS} s"
    if kind == "wrong_secret":
        return signed_headers([generate_secret(rng)], webhook_id, timestamp, body), body, "another secret"
    headers = signed_headers(secrets, webhook_id, timestamp, body)
    if kind == "bad_signature":
        headers["webhook-signature"] = "v1," + base64.b64encode(rng.randbytes(32)).decode()
        return headers, body, "random signature"
    if kind == "tampered_body":
        return headers, _tampered(body), "created_at changed after signing"
    missing = rng.choice(REQUIRED_HEADERS)
    return without(headers, missing), body, f"no {missing}"


def without(headers: dict[str, str], name: str) -> dict[str, str]:
    return {key: value for key, value in headers.items() if key != name}
