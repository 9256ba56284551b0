"""Standard Webhooks v1 signing, exactly as OpenAI signs (and as `client.webhooks.unwrap()` verifies).

The signed content is `{webhook-id}.{webhook-timestamp}.{body}`; the signature is base64 HMAC-SHA256 with the key
that `whsec_<base64>` encodes, sent as `v1,<signature>`, several space-separated while a secret is being rotated.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import random
import secrets as stdlib_secrets
from collections.abc import Mapping, Sequence

from mockserver.settings import check_webhook_secret

USER_AGENT = "OpenAI/1.0 (+https://platform.openai.com/docs/webhooks)"
TOLERANCE_SECONDS = 300


class SignatureError(ValueError):
    """A delivery whose signature does not verify; the message says why."""


def generate_secret(rng: random.Random | None = None) -> str:
    """A new `whsec_` secret with a 32-byte key (from `rng` when a run must be reproducible)."""
    key = rng.randbytes(32) if rng is not None else stdlib_secrets.token_bytes(32)
    return "whsec_" + base64.b64encode(key).decode()


def secret_key(secret: str) -> bytes:
    return base64.b64decode(check_webhook_secret(secret).removeprefix("whsec_"))


def signature(secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signed_headers(secrets: Sequence[str], webhook_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """Every header of one delivery attempt; one signature per active secret."""
    signatures = " ".join(signature(secret, webhook_id, timestamp, body) for secret in secrets)
    return delivery_headers(webhook_id, timestamp, signatures)


def delivery_headers(webhook_id: str, timestamp: int, signatures: str) -> dict[str, str]:
    """The headers of a delivery attempt with these signatures (how the delivery log rebuilds them)."""
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signatures,
        "content-type": "application/json",
        "user-agent": USER_AGENT,
    }


def verify(secret: str, headers: Mapping[str, str], body: bytes, *, now: float) -> None:
    """Check a delivery (for `mockserver listen`); raise `SignatureError` saying what is wrong."""
    lowered = {key.lower(): value for key, value in headers.items()}
    for name in ("webhook-id", "webhook-timestamp", "webhook-signature"):
        if name not in lowered:
            raise SignatureError(f"missing {name} header")
    try:
        timestamp = int(lowered["webhook-timestamp"])
    except ValueError:
        raise SignatureError("webhook-timestamp is not an integer") from None
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        raise SignatureError(f"webhook-timestamp is {int(now - timestamp)} s away from now (tolerance 300 s)")
    expected = signature(secret, lowered["webhook-id"], timestamp, body).removeprefix("v1,")
    for candidate in lowered["webhook-signature"].split():
        version, _, value = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(value, expected):
            return
    raise SignatureError("no v1 signature matches this secret")
