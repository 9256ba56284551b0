"""Webhook chaos: how an endpoint's deliveries are deliberately disturbed (opt-in, per endpoint, seeded)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from mockserver.schemas.common import RequestBody

Probability = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]

# A broken attempt is sent before the event's proper delivery; a receiver must refuse it (4xx). What each breaks:
BrokenKind = Literal[
    "stale_timestamp",  # signed correctly, but `webhook-timestamp` is 10 minutes old (tolerance: 5)
    "future_timestamp",  # signed correctly, 10 minutes ahead
    "bad_signature",  # `webhook-signature` is v1 and well-formed, but of random bytes
    "wrong_secret",  # signed correctly with a secret that is not the endpoint's
    "tampered_body",  # signed, then the body changed
    "missing_header",  # one of webhook-id, webhook-timestamp, webhook-signature left out
]
BROKEN_KINDS: tuple[BrokenKind, ...] = (
    "stale_timestamp", "future_timestamp", "bad_signature", "wrong_secret", "tampered_body", "missing_header",
)  # fmt: skip

# What a delivery attempt's `chaos` field may name: a broken kind, or the valid-but-disturbing ones.
ChaosMark = Literal[
    "stale_timestamp", "future_timestamp", "bad_signature", "wrong_secret", "tampered_body", "missing_header",
    "duplicate", "reordered", "delayed",
]  # fmt: skip


class Chaos(RequestBody):
    """Per endpoint; every field is the probability that one event's delivery gets that disturbance (1: every
    event), except `delay`. Draws come from the dispatcher's own seeded random (`--seed`), one set per event in the
    order events happen, so a seeded run disturbs the same events the same way."""

    duplicate: Probability = 0.0  # the valid delivery is sent again, same `webhook-id`, after it succeeded
    reorder: Probability = 0.0  # held back until the endpoint's next event has been delivered (or a settle)
    # ... or until this many seconds of server time have passed: on the real clock no next event may come.
    reorder_hold: Annotated[float, Field(gt=0.0, le=3600.0, allow_inf_nan=False)] = 10.0
    delay: Annotated[float, Field(ge=0.0, le=86400.0, allow_inf_nan=False)] = 0.0  # server seconds before attempt 1
    delay_rate: Probability = 1.0  # how many events `delay` applies to
    stale_timestamp: Probability = 0.0
    future_timestamp: Probability = 0.0
    bad_signature: Probability = 0.0
    wrong_secret: Probability = 0.0
    tampered_body: Probability = 0.0
    missing_header: Probability = 0.0

    @property
    def active(self) -> bool:
        return any(getattr(self, name) > 0 for name in (*BROKEN_KINDS, "duplicate", "reorder", "delay"))
