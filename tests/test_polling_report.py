"""The polling report on the manual clock: a client polling every 100 ms and one backing off, with the figures
worked out by hand from when each poll was made."""

from __future__ import annotations

from collections.abc import Iterator

import openai
import pytest

from mockserver import MockServer
from mockserver.schemas.polling import PolledObject
from tests.conftest import training_lines


@pytest.fixture
def server() -> Iterator[MockServer]:
    with MockServer(clock="manual", seed=1) as server:
        yield server


@pytest.fixture
def client(server: MockServer) -> Iterator[openai.OpenAI]:
    with server.client() as client:
        yield client


def _stalled_job(client: openai.OpenAI) -> str:
    """A job that never ends by itself: it ends when the test cancels it."""
    training = client.files.create(file=("train.jsonl", training_lines()), purpose="fine-tune")
    job = client.fine_tuning.jobs.create(
        model="gpt-4o-mini", training_file=training.id, extra_headers={"x-mock-scenario": "stall"}
    )
    return job.id


def _only(server: MockServer) -> PolledObject:
    [polled] = server.polling_report().objects
    return polled


def test_a_client_polling_every_100_ms_and_on_after_the_end(server: MockServer, client: openai.OpenAI) -> None:
    job_id = _stalled_job(client)
    start = server.now()
    for poll in range(20):  # at start + 0.0, 0.1, … 1.9
        if poll == 10:
            client.fine_tuning.jobs.cancel(job_id)  # at start + 1.0, before the 11th poll
        client.fine_tuning.jobs.retrieve(job_id)
        server.advance(0.1)
    polled = _only(server)
    assert polled.object_id == job_id and polled.object == "fine_tuning.job"
    assert polled.polls == 20
    assert polled.first_poll_at == start and polled.last_poll_at == pytest.approx(start + 1.9)
    assert polled.min_interval == pytest.approx(0.1) and polled.median_interval == pytest.approx(0.1)
    assert polled.max_per_minute == 20  # all within two seconds
    assert polled.backed_off is False
    assert polled.ended_at == pytest.approx(start + 1.0)
    assert polled.polls_after_end == 10  # the 11th to the 20th, the 11th at the very second it ended
    assert polled.wasted_polls == 9  # the 11th found out; the other nine were for nothing
    assert polled.replaceable_by_webhook == 19  # one retrieve after fine_tuning.job.cancelled would have done
    assert "fine_tuning.job.cancelled" in polled.webhook_events
    with pytest.raises(AssertionError) as failure:
        server.assert_polite_polling(max_per_minute=12, min_interval=1)
    message = str(failure.value)
    assert f"fine_tuning.job {job_id}: 20 polls in one minute (at most 12)" in message
    assert "polled 0.1 s apart (at least 1 s)" in message
    assert "polled 9 more time(s) after it had ended" in message


def test_a_client_that_backs_off_and_stops_once_it_sees_the_end(server: MockServer, client: openai.OpenAI) -> None:
    job_id = _stalled_job(client)
    start = server.now()
    waits = [5, 10, 20, 40, 80]  # polls at start + 0, 5, 15, 35, 75, 155
    client.fine_tuning.jobs.retrieve(job_id)
    for wait in waits:
        server.advance(wait)
        if server.now() - start == 155:
            assert client.fine_tuning.jobs.retrieve(job_id).status == "cancelled"
            break
        if server.now() - start == 75:
            client.fine_tuning.jobs.retrieve(job_id)
            server.advance(25)  # to start + 100: it ends
            client.fine_tuning.jobs.cancel(job_id)
            server.advance(55)
            assert client.fine_tuning.jobs.retrieve(job_id).status == "cancelled"
            break
        client.fine_tuning.jobs.retrieve(job_id)
    polled = _only(server)
    assert polled.polls == 6
    assert (polled.first_poll_at, polled.last_poll_at) == (start, start + 155)
    assert polled.min_interval == 5 and polled.median_interval == 20  # of 5, 10, 20, 40, 80
    assert polled.max_per_minute == 4  # start + 0, 5, 15, 35 lie within one minute; no later minute holds more
    assert polled.backed_off is True
    assert polled.ended_at == start + 100
    assert (polled.polls_after_end, polled.wasted_polls) == (1, 0)
    assert polled.replaceable_by_webhook == 5
    report = server.assert_polite_polling(max_per_minute=4, min_interval=5, require_backoff=True)
    assert report.total_polls == 6 and report.total_replaceable_by_webhook == 5


def test_an_object_still_running_and_requests_that_are_not_polls(server: MockServer, client: openai.OpenAI) -> None:
    job_id = _stalled_job(client)
    client.fine_tuning.jobs.list()
    client.fine_tuning.jobs.list_events(job_id)  # about the job, but not the job: not a poll of it
    client.fine_tuning.jobs.retrieve(job_id)
    polled = _only(server)
    assert polled.polls == 1 and polled.min_interval is None and polled.median_interval is None
    assert polled.ended_at is None and polled.polls_after_end == 0
    assert polled.replaceable_by_webhook == 1  # it has not ended: the poll waited for what a webhook would say
    assert polled.backed_off is False
    server.reset()
    assert server.polling_report().objects == []


def test_the_control_route_keeps_one_projects_polls(server: MockServer, client: openai.OpenAI) -> None:
    job_id = _stalled_job(client)
    client.fine_tuning.jobs.retrieve(job_id)
    status, body = server._request("GET", "/_mock/reports/polling")
    assert status == 200 and body["object"] == "mock.polling_report"
    assert [polled["object_id"] for polled in body["objects"]] == [job_id]
    assert server.polling_report(project="proj_other").objects == []
    assert server.polling_report(project=body["objects"][0]["project"]).total_polls == 1
