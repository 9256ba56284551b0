"""No API key in any output: responses, the control API, the helpers, logs and a failing test's report.

A sentinel key drives a whole scenario (a job, a batch, webhooks, a refused request), and then every surface is
searched for it, in both project modes (with `--project-per-key` a project was once named after its key).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest

from mockserver import MockServer
from mockserver.testing import WebhookReceiver
from mockserver.testing.plugin import _deliveries
from tests.conftest import training_lines
from tests.openapi import ResponseChecker

pytestmark = pytest.mark.e2e

SENTINEL = "sk-SENTINEL-never-show-me-0123456789"
CONTROL_READS = ("/requests", "/webhooks/events", "/webhooks/deliveries", "/webhooks/endpoints", "/faults", "/clock")


class Transcript:
    """Every response an SDK client got, headers and body, as text."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def hook(self, response: httpx.Response) -> None:
        response.read()
        self.texts.append(f"{response.headers}\n{response.text}")


@pytest.fixture
def transcript(checker: ResponseChecker) -> Iterator[tuple[Transcript, Any]]:
    """The transcript and its HTTP client (openai 3.x types `http_client` as httpx2's, but takes httpx's)."""
    seen = Transcript()
    with httpx.Client(event_hooks={"response": [checker.sync_hook, seen.hook]}, timeout=30) as http_client:
        yield seen, http_client


def _scenario(server: MockServer, client: openai.OpenAI, receiver: WebhookReceiver) -> str:
    """Objects, webhooks and a failed expectation; returns the failure message (output too)."""
    server.add_webhook_endpoint(receiver)
    training = client.files.create(file=("t.jsonl", training_lines()), purpose="fine-tune")
    job = client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=training.id)
    client.fine_tuning.jobs.cancel(job.id)
    batch_input = b'{"custom_id": "a", "method": "POST", "url": "/v1/embeddings", "body": {"model": "m", "input": "x"}}'
    batch_file = client.files.create(file=("b.jsonl", batch_input), purpose="batch")
    client.batches.create(input_file_id=batch_file.id, endpoint="/v1/embeddings", completion_window="24h")
    server.advance(3600)
    receiver.assert_received("fine_tuning.job.cancelled", object_id=job.id)
    with pytest.raises(AssertionError) as failure:
        receiver.assert_received("batch.failed")
    return str(failure.value)


@pytest.mark.parametrize("project_per_key", [False, True], ids=["shared-default", "project-per-key"])
def test_the_sentinel_key_appears_nowhere(
    project_per_key: bool,
    transcript: tuple[Transcript, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    seen, http_client = transcript
    caplog.set_level(logging.DEBUG)
    options: dict[str, Any] = {"project_per_key": project_per_key, "api_keys": (SENTINEL, "sk-other")}
    with MockServer(**options) as server, WebhookReceiver() as receiver:
        client = openai.OpenAI(
            api_key=SENTINEL, base_url=server.base_url, max_retries=0, http_client=http_client,
            _strict_response_validation=True,
        )  # fmt: skip
        failure = _scenario(server, client, receiver)
        # A refused key is quoted masked, as the real API does.
        wrong = openai.OpenAI(api_key=SENTINEL + "x", base_url=server.base_url, max_retries=0, http_client=http_client)
        with pytest.raises(openai.AuthenticationError):
            wrong.models.list()
        outputs: dict[str, str] = {
            f"GET /_mock{path}": httpx.get(f"{server.url}/_mock{path}").text for path in CONTROL_READS
        }
        outputs |= {
            "responses": "\n".join(seen.texts),
            "requests()": repr(server.requests()),
            "webhook_events()": repr(server.webhook_events()),
            "deliveries()": repr(server.deliveries()),
            "delivery_summary()": server.delivery_summary(),
            "report: webhook deliveries": _deliveries(server),
            "report: server log": "\n".join(server.log.lines),
            "receiver.events": repr(receiver.events),
            "receiver failure": failure,
            "logs": "\n".join(record.getMessage() for record in caplog.records),
        }
    assert len(seen.texts) == 6 and "fine_tuning.job.cancelled" in outputs["GET /_mock/webhooks/events"]
    leaks = [surface for surface, text in outputs.items() if SENTINEL in text]
    assert leaks == []


def test_mock_openai_keeps_a_real_key_out_of_a_failing_report(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SENTINEL)
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(
        test_user=f"""
import openai

def test_fails(mock_openai, mock_openai_server, openai_client):
    client = openai.OpenAI()
    receiver = mock_openai.receiver()
    mock_openai.add_webhook_endpoint(receiver)
    training = client.files.create(file=("t.jsonl", {training_lines()!r}), purpose="fine-tune")
    job = client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=training.id)
    client.fine_tuning.jobs.cancel(job.id)
    openai_client.files.list()
    print(mock_openai.webhook_events(), mock_openai.requests(), receiver.events)
    receiver.assert_received("batch.completed")
"""
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "-rA", "--log-level=DEBUG")
    result.assert_outcomes(failed=1)
    output = result.stdout.str() + result.stderr.str()
    assert "mock_openai: webhook deliveries" in output and "fine_tuning.job.cancelled" in output
    assert SENTINEL not in output
