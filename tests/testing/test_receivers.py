"""Receivers that wait: `assert_received` / `assert_nothing_received` settle due deliveries first, on the live and
the in-process mock; errors that explain (unknown event types, receivers registered nowhere); fast teardown."""

from __future__ import annotations

from collections.abc import Iterator

import openai
import pytest

from mockserver import clock as clocks
from mockserver.testing import InProcessMock, MockServer, WebhookReceiver
from mockserver.testing.controls import Harness
from mockserver.testing.receiver import Inbox
from tests.conftest import training_lines

pytestmark = pytest.mark.e2e


@pytest.fixture(params=["live", "in-process"])
def harness(request: pytest.FixtureRequest) -> Iterator[tuple[Harness, Inbox]]:
    """A mock of each kind with a receiver of its kind, not yet registered."""
    if request.param == "live":
        with MockServer() as server, WebhookReceiver() as receiver:
            yield server, receiver
    else:
        with InProcessMock() as mock:
            yield mock, mock.receiver()


def _cancelled_job(client: openai.OpenAI) -> str:
    training = client.files.create(file=("t.jsonl", training_lines()), purpose="fine-tune")
    job = client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=training.id)
    return client.fine_tuning.jobs.cancel(job.id).id


def test_assert_received_right_after_a_cancel(harness: tuple[Harness, Inbox]) -> None:
    mock, receiver = harness
    mock.add_webhook_endpoint(receiver)
    with mock.client(_strict_response_validation=True) as client:
        # The issue saw 20 failures in 20 runs: the delivery was still in flight when the assertion looked.
        for _ in range(20):
            job = _cancelled_job(client)
            [event] = receiver.assert_received("fine_tuning.job.cancelled", object_id=job, count=1)
            assert event.data.id == job


def test_assert_nothing_received_settles_first(harness: tuple[Harness, Inbox]) -> None:
    mock, receiver = harness
    mock.add_webhook_endpoint(receiver)
    with mock.client(_strict_response_validation=True) as client:
        training = client.files.create(file=("t.jsonl", training_lines()), purpose="fine-tune")
        job = client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=training.id)
        receiver.assert_nothing_received()
        client.fine_tuning.jobs.cancel(job.id)
    with pytest.raises(AssertionError, match=f"expected no webhook; registered as we_\\w+ \\(every event type\\); "
                                             f"received:\n  - fine_tuning.job.cancelled {job.id} "):  # fmt: skip
        receiver.assert_nothing_received()


def test_a_receiver_registered_nowhere_says_so(harness: tuple[Harness, Inbox]) -> None:
    _, receiver = harness
    with pytest.raises(AssertionError) as failure:
        receiver.assert_received("batch.completed")
    assert str(failure.value) == (
        "expected at least one batch.completed, got 0; this receiver is registered with no mock: call "
        "mock_openai_server.add_webhook_endpoint(webhook_receiver) (or mock_openai's) first; received:\n"
        "  (nothing)"
    )
    with pytest.raises(AssertionError, match="^no batch.completed arrived within 0.01 s; this receiver is registered"):
        receiver.wait_for("batch.completed", timeout=0.01)


def test_a_failure_names_the_endpoints_and_their_event_types(harness: tuple[Harness, Inbox]) -> None:
    mock, receiver = harness
    endpoint = mock.add_webhook_endpoint(receiver, events=["batch.completed", "batch.failed"])
    with mock.client() as client:
        job = _cancelled_job(client)
    with pytest.raises(AssertionError) as failure:
        receiver.assert_received("fine_tuning.job.cancelled", object_id=job)
    assert str(failure.value) == (
        f"expected at least one fine_tuning.job.cancelled for {job}, got 0; registered as {endpoint['id']} "
        "(batch.completed, batch.failed); received:\n  (nothing)"
    )


def test_unknown_event_types_are_refused_with_the_closest_known_one(harness: tuple[Harness, Inbox]) -> None:
    mock, receiver = harness
    hint = "Unknown event type 'fine_tuning.job.canceled'. Did you mean 'fine_tuning.job.cancelled'? Supported event "
    for call in (
        lambda: receiver.wait_for("fine_tuning.job.canceled", timeout=0),
        lambda: receiver.assert_received("fine_tuning.job.canceled"),
        lambda: receiver.received("fine_tuning.job.canceled"),
        lambda: mock.add_webhook_endpoint(receiver, events=["fine_tuning.job.canceled"]),
    ):
        with pytest.raises(ValueError) as refused:
            call()
        assert str(refused.value).startswith(hint) and "eval.run.canceled" in str(refused.value)
    refusal = r"^Unknown event type 'job.done'\. Supported event types are: batch\.completed"
    with pytest.raises(ValueError, match=refusal):
        receiver.received("job.done")


def test_a_receiver_closes_in_under_20_ms() -> None:
    times = []
    for _ in range(20):
        receiver = WebhookReceiver()
        started = clocks.elapsed()
        receiver.close()
        times.append(clocks.elapsed() - started)
    assert max(times) < 0.02, times
