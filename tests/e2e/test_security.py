"""Keys, secrets and tokens stay out of the logs; the control API warns when exposed; shutdown is prompt."""

from __future__ import annotations

import time

import httpx
import openai
import pytest

from mockserver.cli import exposure_warning
from tests.conftest import training_lines
from tests.e2e.conftest import start_cli
from tests.e2e.receiver import LoopbackReceiver

pytestmark = pytest.mark.e2e

API_KEY = "sk-proj-VerySecretKey0123456789"
WEBHOOK_SECRET = "whsec_" + "dG9wLXNlY3JldC13ZWJob29rLWtleS0xMjM0NQ=="
ADMIN_TOKEN = "admin-token-NeverLogged-42"


def test_secrets_and_keys_never_appear_in_the_log() -> None:
    receiver = LoopbackReceiver()
    receiver.then("fail")
    server = start_cli(
        "--port", "0", "--clock", "manual", "--log-level", "debug", "--api-key", API_KEY,
        "--webhook-url", receiver.url, "--webhook-secret", WEBHOOK_SECRET, "--admin-token", ADMIN_TOKEN,
        admin_token=ADMIN_TOKEN,
    )  # fmt: skip
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    try:
        client = openai.OpenAI(api_key=API_KEY, base_url=server.base_url, max_retries=0)
        training = client.files.create(file=("t.jsonl", training_lines()), purpose="fine-tune")
        job = client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=training.id)
        client.fine_tuning.jobs.cancel(job.id)
        httpx.post(f"{server.url}/_mock/clock/advance", json={"seconds": 10}, headers=admin).raise_for_status()
        endpoints = httpx.get(f"{server.url}/_mock/webhooks/endpoints", headers=admin).json()
        assert endpoints["data"][0]["secret"] == WEBHOOK_SECRET  # the control API may show it; the log may not
        wrong = httpx.get(f"{server.base_url}/models", headers={"Authorization": f"Bearer {API_KEY}x"})
        assert wrong.status_code == 401 and API_KEY not in wrong.text
        assert httpx.get(f"{server.url}/_mock/health", headers={"Authorization": "Bearer nope"}).status_code == 401
        client.close()
    finally:
        assert server.stop() == 0
        receiver.close()
    log = "".join(server.output)
    assert "webhook fine_tuning.job.cancelled" in log  # the log did record the deliveries
    for secret in (API_KEY, WEBHOOK_SECRET, WEBHOOK_SECRET.removeprefix("whsec_"), ADMIN_TOKEN):
        assert secret not in log


def test_sigterm_stops_within_five_seconds_and_names_undelivered_events() -> None:
    receiver = LoopbackReceiver()
    receiver.then("fail")
    server = start_cli("--port", "0", "--clock", "manual", "--webhook-url", receiver.url)
    try:
        client = openai.OpenAI(api_key="sk-x", base_url=server.base_url, max_retries=0)
        training = client.files.create(file=("t.jsonl", training_lines()), purpose="fine-tune")
        job = client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=training.id)
        client.fine_tuning.jobs.cancel(job.id)
        server.advance(0)
        client.close()
    finally:
        started = time.monotonic()
        assert server.stop(timeout=5) == 0
        assert time.monotonic() - started < 5
        receiver.close()
    assert "undelivered webhook: fine_tuning.job.cancelled" in "".join(server.output)


@pytest.mark.parametrize(
    ("host", "token", "warns"),
    [("127.0.0.1", None, False), ("::1", None, False), ("localhost", None, False), ("0.0.0.0", None, True),
     ("192.0.2.10", None, True), ("0.0.0.0", "t", False), ("example.test", None, True)],
)  # fmt: skip
def test_binding_beyond_loopback_without_a_token_warns(host: str, token: str | None, warns: bool) -> None:
    warning = exposure_warning(host, token)
    assert (warning is not None) == warns
    if warning:
        assert "--admin-token" in warning
