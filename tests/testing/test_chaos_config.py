"""Chaos is configured where endpoints are: `add_webhook_endpoint(..., chaos=...)`, the marker (`webhook_chaos=`),
and `--webhook-chaos` with its `MOCKSERVER_WEBHOOK_CHAOS` twin; a real receiver sees the duplicates."""

from __future__ import annotations

import argparse
from collections import Counter

import pytest

from mockserver import MockServer
from mockserver.cli import _chaos, _with_environment, build_parser, settings_from_args
from mockserver.schemas.chaos import Chaos
from mockserver.settings import Settings
from mockserver.testing.receiver import WebhookReceiver
from tests.conftest import FIXTURES
from tests.testing.test_plugin import _ini, run  # noqa: F401  # _ini: the user's ini, autouse


def _settings(*argv: str) -> Settings:
    parser, serve = build_parser()
    return settings_from_args(parser.parse_args(["serve", *_with_environment(list(argv), serve)]))


def test_the_flag_and_its_environment_twin(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _settings().webhook_chaos is None
    assert _settings("--webhook-chaos", "duplicate,reorder=0.5").webhook_chaos == Chaos(duplicate=1, reorder=0.5)
    monkeypatch.setenv("MOCKSERVER_WEBHOOK_CHAOS", "delay=30,bad_signature=0.25")
    assert _settings().webhook_chaos == Chaos(delay=30, bad_signature=0.25)
    assert _settings("--webhook-chaos", "tampered_body").webhook_chaos == Chaos(tampered_body=1)


@pytest.mark.parametrize(
    ("text", "message"),
    [("duplicate=2", "duplicate: Input should be less than or equal to 1"), ("sometimes", "sometimes: Extra"),
     ("reorder=often", "reorder: 'often' is not a number")],
)  # fmt: skip
def test_the_flag_refuses_what_is_not_chaos_in_its_own_terms(text: str, message: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match=message):
        _chaos(text)


def test_add_webhook_endpoint_with_chaos_sends_a_real_receiver_each_event_twice() -> None:
    with MockServer(seed=5) as server, WebhookReceiver() as receiver:
        endpoint = server.add_webhook_endpoint(receiver, chaos={"duplicate": 1.0, "stale_timestamp": 1.0})
        assert endpoint["chaos"]["duplicate"] == 1.0
        client = server.client()
        lines = (FIXTURES / "training" / "valid.jsonl").read_bytes()
        training = client.files.create(file=("train.jsonl", lines), purpose="fine-tune")
        job = client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=training.id)
        client.fine_tuning.jobs.cancel(job.id)
        receiver.assert_received("fine_tuning.job.cancelled", object_id=job.id, count=2)  # the duplicate too
        ids = Counter(delivery.headers["webhook-id"] for delivery in receiver.deliveries if delivery.verified)
        assert list(ids.values()) == [2]
        assert sorted(delivery.status for delivery in receiver.deliveries) == [200, 200, 400]  # the stale one
        marks = sorted(tuple(attempt["chaos"]) for attempt in server.deliveries())
        assert marks == [(), ("duplicate",), ("stale_timestamp",)]


@pytest.mark.e2e
def test_the_marker_sets_the_chaos_of_every_endpoint(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
@pytest.mark.mockserver(webhook_chaos={"duplicate": 1.0})
def test_chaotic(mock_openai_server, openai_client, webhook_receiver):
    mock_openai_server.add_webhook_endpoint(webhook_receiver)
    job = new_job(openai_client)
    openai_client.fine_tuning.jobs.cancel(job.id)
    webhook_receiver.assert_received("fine_tuning.job.cancelled", object_id=job.id, count=2)

def test_calm_again(mock_openai_server, openai_client, webhook_receiver):
    mock_openai_server.add_webhook_endpoint(webhook_receiver)
    job = new_job(openai_client)
    openai_client.fine_tuning.jobs.cancel(job.id)
    webhook_receiver.assert_received("fine_tuning.job.cancelled", object_id=job.id, count=1)

@pytest.mark.mockserver(webhook_chaos={"duplicate": 3})
def test_refused(mock_openai_server):
    pass
""",
    )
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*webhook_chaos*"])


def test_on_the_real_clock_a_reordered_delivery_goes_out_by_itself_after_its_hold() -> None:
    with MockServer(clock="real") as server, WebhookReceiver() as receiver, server.client() as client:
        server.add_webhook_endpoint(receiver, chaos={"reorder": 1.0, "reorder_hold": 0.2})
        training = client.files.create(file=("train.jsonl", b'{"messages": []}\n'), purpose="fine-tune")
        job = client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=training.id)
        client.fine_tuning.jobs.cancel(job.id)
        # No next event and no settle: only the hold's timer sends it (wait_for settles nothing).
        event = receiver.wait_for("fine_tuning.job.cancelled", object_id=job.id, timeout=10)
        assert event.data.id == job.id
        server.settle()  # the receiver has answered; the mock records the attempt once it has read that answer
        [attempt] = server.deliveries()
        assert attempt["chaos"] == ["reordered"] and attempt["succeeded"]
