"""The pytest plugin as a user meets it: a test file of theirs, run in a sub-pytest."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.conftest import FIXTURES

pytestmark = pytest.mark.e2e

TRAINING = repr(str(FIXTURES / "training" / "valid.jsonl"))

HELPERS = f"""
from collections.abc import Callable

import pytest

TRAINING = {TRAINING}

def new_job(client, **kwargs):
    with open(TRAINING, "rb") as handle:
        training = client.files.create(file=("train.jsonl", handle.read()), purpose="fine-tune")
    return client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=training.id, **kwargs)
"""


@pytest.fixture(autouse=True)
def _ini(pytester: pytest.Pytester) -> None:
    # The user's project settles pytest-asyncio's loop scope, as ours does; without it the plugin warns.
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")


def run(pytester: pytest.Pytester, source: str, *args: str) -> pytest.RunResult:
    pytester.makepyfile(test_user=HELPERS + source)
    return pytester.runpytest("-p", "no:cacheprovider", "--strict-markers", *args)


def test_the_live_server_fixtures_and_reset_between_tests(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
def test_first(mock_openai_server, openai_client):
    job = new_job(openai_client)
    mock_openai_server.advance(60)
    assert openai_client.fine_tuning.jobs.retrieve(job.id).status == "succeeded"
    assert mock_openai_server.base_url.startswith("http://127.0.0.1:")

def test_second_starts_clean(mock_openai_server, openai_client):
    assert openai_client.fine_tuning.jobs.list().data == []
    assert openai_client.files.list().data == []

def test_same_server_for_the_session(mock_openai_server, request):
    assert mock_openai_server is request.getfixturevalue("_mockserver_session")
""",
    )
    result.assert_outcomes(passed=3)


def test_the_marker_configures_phases_seed_and_scenario(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
@pytest.mark.mockserver(phases={"fine_tuning.validating_files": 100}, seed=7, scenario="fail")
def test_configured(mock_openai_server, openai_client):
    job = new_job(openai_client)
    mock_openai_server.advance(99)
    assert openai_client.fine_tuning.jobs.retrieve(job.id).status == "validating_files"
    mock_openai_server.advance(3600)
    failed = openai_client.fine_tuning.jobs.retrieve(job.id)
    assert failed.status == "failed" and failed.error.code == "server_error"

@pytest.mark.mockserver(seed=7)
def test_seeded_ids_repeat(mock_openai_server, openai_client):
    first = new_job(openai_client).id
    mock_openai_server.reset()
    assert new_job(openai_client).id == first

@pytest.mark.mockserver(scenario="stall")
def test_in_process_too(mock_openai):
    import openai
    client = openai.OpenAI()
    job = new_job(client)
    mock_openai.advance(3600)
    assert client.fine_tuning.jobs.retrieve(job.id).status == "queued"
""",
    )
    result.assert_outcomes(passed=3)


def test_mock_openai_answers_default_clients_sync_and_async_without_sockets(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
import asyncio
import socket

import openai

@pytest.fixture
def no_sockets(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a socket was opened")
    monkeypatch.setattr(socket.socket, "connect", refuse)

def test_sync(mock_openai, no_sockets):
    client = openai.OpenAI()  # the default base URL: code under test does not know about the mock
    job = new_job(client)
    assert job.status == "validating_files"
    assert mock_openai.advance(60)["transitions"][-1]["to"] == "succeeded"
    assert client.fine_tuning.jobs.retrieve(job.id).fine_tuned_model.startswith("ft:gpt-4o-mini-2024-07-18:")

def test_async(mock_openai, no_sockets):
    async def scenario():
        async with openai.AsyncOpenAI() as client:
            with open(TRAINING, "rb") as handle:
                training = await client.files.create(file=("t.jsonl", handle.read()), purpose="fine-tune")
            job = await client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=training.id)
            return (await client.fine_tuning.jobs.cancel(job.id)).status
    assert asyncio.run(scenario()) == "cancelled"

def test_webhooks_reach_an_in_process_receiver(mock_openai, no_sockets):
    receiver = mock_openai.receiver()
    mock_openai.add_webhook_endpoint(receiver)
    client = openai.OpenAI()
    job = new_job(client)
    client.fine_tuning.jobs.cancel(job.id)
    event = receiver.wait_for("fine_tuning.job.cancelled", object_id=job.id)
    assert event.data.id == job.id

def test_other_hosts_pass_through(mock_openai):
    import httpx
    with pytest.raises(httpx.ConnectError):
        httpx.get("http://127.0.0.1:9/", timeout=1)
""",
    )
    result.assert_outcomes(passed=4)


def test_mock_openai_in_an_async_test_and_beside_respx(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
import httpx
import openai
import respx

@pytest.mark.asyncio
async def test_async_client_in_an_async_test(mock_openai):
    client = openai.AsyncOpenAI()
    models = [m.id async for m in client.models.list()]
    assert "gpt-4o-mini-2024-07-18" in models

def test_respx_routes_other_hosts(mock_openai):
    with respx.mock(assert_all_called=True) as router:
        router.get("https://example.test/ping").respond(json={"pong": True})
        assert httpx.get("https://example.test/ping").json() == {"pong": True}
        assert openai.OpenAI().models.retrieve("gpt-4o-mini").id == "gpt-4o-mini"
""",
        "-p",
        "asyncio",
    )
    result.assert_outcomes(passed=2)


def test_webhook_receiver_with_the_live_server(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
def test_retries_reach_the_receiver(mock_openai_server, openai_client, webhook_receiver):
    endpoint = mock_openai_server.add_webhook_endpoint(webhook_receiver)
    assert endpoint["secret"] == webhook_receiver.secret
    webhook_receiver.fail_next(2, status=503)
    job = new_job(openai_client, extra_headers={"x-mock-scenario": "fail"})
    mock_openai_server.advance(3600)
    event = webhook_receiver.wait_for("fine_tuning.job.failed", object_id=job.id, timeout=1)
    assert event.type == "fine_tuning.job.failed"
    assert [d.status for d in webhook_receiver.deliveries] == [503, 503, 200]
    assert len(webhook_receiver.assert_received("fine_tuning.job.failed", count=3)) == 3
    assert len({d.headers["webhook-id"] for d in webhook_receiver.deliveries}) == 1
    assert [a["attempt"] for a in mock_openai_server.deliveries()] == [3, 2, 1]
""",
    )
    result.assert_outcomes(passed=1)


def test_a_failing_test_shows_what_arrived_and_the_server_logs(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
def test_wrong_expectation(mock_openai_server, openai_client, webhook_receiver):
    mock_openai_server.add_webhook_endpoint(webhook_receiver)
    job = new_job(openai_client)
    openai_client.fine_tuning.jobs.cancel(job.id)
    mock_openai_server.advance(0)
    webhook_receiver.assert_received("fine_tuning.job.succeeded", object_id=job.id)
""",
    )
    result.assert_outcomes(failed=1)
    output = result.stdout.str()
    assert "expected at least one fine_tuning.job.succeeded" in output
    assert "- fine_tuning.job.cancelled ftjob-" in output  # the message lists what arrived instead
    assert "mock_openai_server: server log" in output
    assert "fine_tuning.job ftjob-" in output and "-> cancelled" in output
    assert "mock_openai_server: webhook deliveries" in output
    assert "fine_tuning.job.cancelled ftjob-" in output and "attempt 1 -> http://127.0.0.1:" in output


def test_a_server_side_error_fails_the_test_that_caused_it(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
import openai

def test_breaks_the_server(mock_openai_server, openai_client):
    def boom(*args, **kwargs):
        raise RuntimeError("a bug inside the mock")
    mock_openai_server.services.lifecycles["fine_tuning_jobs"].get = boom
    with pytest.raises(openai.InternalServerError):
        openai_client.fine_tuning.jobs.retrieve("ftjob-x")
""",
    )
    result.assert_outcomes(passed=1, errors=1)
    assert "a bug inside the mock" in result.stdout.str()


def test_each_xdist_worker_has_its_own_server(pytester: pytest.Pytester) -> None:
    body = """
import os

def test_{name}(mock_openai_server, openai_client):
    job = new_job(openai_client)
    mock_openai_server.advance(60)
    assert [j.id for j in openai_client.fine_tuning.jobs.list().data] == [job.id]
    with open(os.environ["PYTEST_XDIST_WORKER"] + ".url", "a") as handle:
        handle.write(mock_openai_server.url + "\\n")
"""
    pytester.makepyfile(**{f"test_{name}": HELPERS + body.format(name=name) for name in ("a", "b", "c", "d")})
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2")
    result.assert_outcomes(passed=4)
    urls = {path.read_text().split()[0] for path in pytester.path.glob("gw*.url")}
    assert len(urls) == 2


def test_a_bad_marker_setting_names_the_marker_argument(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
@pytest.mark.mockserver(scenario="sometimes")
def test_bad_scenario(mock_openai_server):
    pass

@pytest.mark.mockserver(webhook_timeout=0)
def test_bad_setting(mock_openai):
    pass
""",
    )
    result.assert_outcomes(errors=2)
    output = result.stdout.str()
    assert "@pytest.mark.mockserver: scenario: unknown scenario 'sometimes'; known scenarios: succeed, fail" in output
    assert "@pytest.mark.mockserver: webhook_timeout: Input should be greater than 0" in output
    assert "default_scenario" not in output


def test_the_marker_gives_each_key_its_own_project(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
import openai

def test_shared_by_default(mock_openai_server, openai_client):
    job = new_job(openai_client)
    other = openai.OpenAI(api_key="sk-another", base_url=mock_openai_server.base_url)
    assert other.fine_tuning.jobs.retrieve(job.id).id == job.id

@pytest.mark.mockserver(project_per_key=True)
def test_per_key(mock_openai_server, openai_client):
    job = new_job(openai_client)
    other = openai.OpenAI(api_key="sk-another", base_url=mock_openai_server.base_url, max_retries=0)
    with pytest.raises(openai.NotFoundError):
        other.fine_tuning.jobs.retrieve(job.id)
""",
    )
    result.assert_outcomes(passed=2)


def test_fifty_receivers_tear_down_in_under_a_second(
    pytester: pytest.Pytester, record_property: Callable[[str, object], None]
) -> None:
    body = """
@pytest.mark.parametrize("n", range(50))
def test_uses_a_receiver(webhook_receiver, n):
    assert webhook_receiver.url.startswith("http://127.0.0.1:")
"""
    pytester.makepyfile(test_user=HELPERS + body)
    result = pytester.inline_run("-p", "no:cacheprovider")
    result.assertoutcome(passed=50)
    teardowns = [r.duration for r in result.getreports("pytest_runtest_logreport") if r.when == "teardown"]
    assert len(teardowns) == 50
    record_property("figure", f"webhook_receiver teardown, 50 tests: {sum(teardowns) * 1000:.1f} ms in total")
    assert sum(teardowns) < 1.0
