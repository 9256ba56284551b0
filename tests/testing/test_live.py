"""`MockServer`, `InProcessMock` and the receivers used directly, without the plugin."""

from __future__ import annotations

import logging
import socket
import statistics
from collections.abc import Callable

import httpx
import pytest

from mockserver import MockServer
from mockserver.testing import ControlError, InProcessMock, ServerError, WebhookReceiver
from tests.conftest import training_lines

pytestmark = pytest.mark.e2e


def test_each_server_answers_and_its_start_up_is_recorded(
    record_property: Callable[[str, object], None],
) -> None:
    seconds = []
    for _ in range(10):
        with MockServer() as server:
            seconds.append(server.startup_seconds)
            assert httpx.get(f"{server.url}/_mock/health").json() == {"status": "ok"}
    record_property("figure", f"MockServer start-up to ready: median {statistics.median(seconds) * 1000:.1f} ms of 10")


def test_helpers_drive_the_server() -> None:
    with MockServer(seed=3, phases={"fine_tuning.running": 1}) as server:
        client = server.client()
        training = client.files.create(file=("t.jsonl", training_lines()), purpose="fine-tune")
        job = client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=training.id)
        assert server.transition(job.id, "running")["status"] == "running"
        assert [t["to"] for t in server.advance(1)["transitions"]] == ["succeeded"]
        assert server.now() > 0
        server.reset()
        assert client.fine_tuning.jobs.list().data == []
        client.close()


def test_control_errors_and_misuse_are_clear() -> None:
    server = MockServer()
    with pytest.raises(ServerError, match="not running"):
        server.advance(1)
    with server:
        with pytest.raises(ControlError, match="400"):
            server.advance(-1)
        with pytest.raises(ControlError, match="404"):
            server.transition("ftjob-nope", "running")


def test_a_port_in_use_is_reported() -> None:
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    try:
        with pytest.raises(ServerError, match="cannot listen on 127.0.0.1"):
            MockServer(port=busy.getsockname()[1]).start()
    finally:
        busy.close()


def test_add_webhook_endpoint_takes_a_url_or_a_receiver() -> None:
    with MockServer() as server, WebhookReceiver() as receiver:
        by_url = server.add_webhook_endpoint("http://127.0.0.1:9/hooks", events=["fine_tuning.job.failed"])
        assert by_url["url"] == "http://127.0.0.1:9/hooks" and by_url["events"] == ["fine_tuning.job.failed"]
        by_receiver = server.add_webhook_endpoint(receiver)
        assert (by_receiver["url"], by_receiver["secret"]) == (receiver.url, receiver.secret)
        receiver.assert_nothing_received()


def test_unsigned_or_wrongly_signed_deliveries_are_recorded_but_not_trusted() -> None:
    with WebhookReceiver() as receiver:
        response = httpx.post(receiver.url, content=b"{}", headers={"content-type": "application/json"})
        assert response.status_code == 400
        [delivery] = receiver.deliveries
        assert not delivery.verified and "webhook-signature" in (delivery.error or "")
        assert receiver.events == []
        with pytest.raises(AssertionError, match="unverified"):
            receiver.wait_for("fine_tuning.job.cancelled", timeout=0.05)


def test_in_process_patches_are_undone_on_stop() -> None:
    import httpx as library

    original = library.HTTPTransport.handle_request
    with InProcessMock():
        assert library.HTTPTransport.handle_request is not original
    assert library.HTTPTransport.handle_request is original


def test_the_async_client_is_bound_to_the_server() -> None:
    import asyncio

    with MockServer() as server:

        async def models() -> list[str]:
            async with server.async_client() as client:
                return [model.id async for model in client.models.list()]

        assert "gpt-4o-mini-2024-07-18" in asyncio.run(models())


def test_a_mock_leaves_the_mockserver_loggers_level_as_it_found_it() -> None:
    logger = logging.getLogger("mockserver")
    before = logger.level
    logger.setLevel(logging.NOTSET)
    try:
        with MockServer():
            assert logger.level == logging.INFO  # so that failure reports have the server log
        assert logger.level == logging.NOTSET
        logger.setLevel(logging.WARNING)
        with MockServer():
            assert logger.level == logging.WARNING  # a level someone chose is theirs
    finally:
        logger.setLevel(before)
