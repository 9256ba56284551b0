from __future__ import annotations

import json

import openai
import pytest
import standardwebhooks

from mockserver.webhooks.signing import SignatureError, generate_secret, signature, signed_headers, verify

# The official SDK's own test vector (openai-python tests/api_resources/test_webhooks.py).
SDK_SECRET = "whsec_RdvaYFYUXuIFuEbvZHwMfYFhUf7aMYjYcmM24+Aj40c="
SDK_ID = "wh_685c059ae39c8190af8c71ed1022a24d"
SDK_TIMESTAMP = 1750861210
SDK_PAYLOAD = (
    '{"id": "evt_685c059ae3a481909bdc86819b066fb6", "object": "event", "created_at": 1750861210, '
    '"type": "response.completed", "data": {"id": "resp_123"}}'
)
SDK_SIGNATURE = "v1,gUAg4R2hWouRZqRQG4uJypNS8YK885G838+EHb4nKBY="


def test_our_signature_matches_the_sdk_test_vector() -> None:
    assert signature(SDK_SECRET, SDK_ID, SDK_TIMESTAMP, SDK_PAYLOAD.encode()) == SDK_SIGNATURE


def _now_headers(secrets: list[str], body: bytes) -> dict[str, str]:
    import time

    return signed_headers(secrets, "wh_test", int(time.time()), body)


def test_both_verifiers_accept_what_we_sign() -> None:
    secret = generate_secret()
    body = json.dumps({"object": "event", "id": "evt_1", "type": "fine_tuning.job.cancelled", "created_at": 1,
                       "data": {"id": "ftjob-1"}}).encode()  # fmt: skip
    headers = _now_headers([secret], body)
    standardwebhooks.Webhook(secret).verify(body.decode(), headers)
    event = openai.OpenAI(api_key="unused").webhooks.unwrap(body, headers, secret=secret)
    assert event.type == "fine_tuning.job.cancelled"
    assert headers["user-agent"] == "OpenAI/1.0 (+https://platform.openai.com/docs/webhooks)"
    assert headers["content-type"] == "application/json"


def test_two_secrets_give_two_signatures_and_either_verifies() -> None:
    old, new = generate_secret(), generate_secret()
    body = b'{"object":"event","id":"evt_1","type":"batch.completed","created_at":1,"data":{"id":"batch_1"}}'
    headers = _now_headers([new, old], body)
    assert len(headers["webhook-signature"].split(" ")) == 2
    for secret in (old, new):
        standardwebhooks.Webhook(secret).verify(body.decode(), headers)
        openai.OpenAI(api_key="unused").webhooks.verify_signature(body, headers, secret=secret)
    with pytest.raises(Exception):  # noqa: B017  # each library raises its own error type
        standardwebhooks.Webhook(generate_secret()).verify(body.decode(), headers)


def test_our_verifier_says_what_is_wrong() -> None:
    secret = generate_secret()
    body = b"{}"
    headers = signed_headers([secret], "wh_1", 1_000_000, body)
    verify(secret, headers, body, now=1_000_100)
    with pytest.raises(SignatureError, match="tolerance"):
        verify(secret, headers, body, now=1_000_000 + 3600)
    with pytest.raises(SignatureError, match="no v1 signature"):
        verify(generate_secret(), headers, body, now=1_000_000)
    with pytest.raises(SignatureError, match="missing webhook-id"):
        verify(secret, {k: v for k, v in headers.items() if k != "webhook-id"}, body, now=1_000_000)


def test_secrets_are_seeded_when_asked() -> None:
    import random

    assert generate_secret(random.Random(1)) == generate_secret(random.Random(1))
    assert generate_secret().startswith("whsec_")
