"""Background responses end to end: the CLI-started server, the sync SDK over real sockets, the four `response.*`
webhooks to a loopback receiver, and a stream that arrives as the clock moves."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import openai
import pytest
from openai.types.webhooks import (
    ResponseCancelledWebhookEvent,
    ResponseCompletedWebhookEvent,
    ResponseFailedWebhookEvent,
    ResponseIncompleteWebhookEvent,
)

from mockserver.kinds import DEFAULT_PHASES
from tests.e2e.conftest import SECRET, CliServer
from tests.e2e.receiver import LoopbackReceiver
from tests.e2e.test_readme import code_blocks
from tests.verification import verify_both

pytestmark = pytest.mark.e2e

Sdk = Callable[..., openai.OpenAI]

QUEUED = DEFAULT_PHASES["response.queued"]
WHOLE = QUEUED + DEFAULT_PHASES["response.in_progress"]
EVENT_CLASSES = {
    "response.completed": ResponseCompletedWebhookEvent,
    "response.failed": ResponseFailedWebhookEvent,
    "response.incomplete": ResponseIncompleteWebhookEvent,
    "response.cancelled": ResponseCancelledWebhookEvent,
}


def _background(client: openai.OpenAI, scenario: str = "succeed") -> str:
    response = client.responses.create(
        model="gpt-4o-mini", input="hi", background=True, extra_headers={"x-mock-scenario": scenario}
    )
    return response.id


@pytest.mark.parametrize(
    ("scenario", "cancel", "event_type"),
    [
        ("succeed", False, "response.completed"),
        ("fail", False, "response.failed"),
        ("incomplete", False, "response.incomplete"),
        ("succeed", True, "response.cancelled"),
    ],
)
def test_each_outcome_is_delivered_once_and_unwraps_into_its_sdk_event(
    hooked: CliServer, sdk: Sdk, receiver: LoopbackReceiver, scenario: str, cancel: bool, event_type: str
) -> None:
    client = sdk(hooked.base_url)
    response_id = _background(client, scenario)
    if cancel:
        hooked.advance(QUEUED)
        assert client.responses.cancel(response_id).status == "cancelled"
    hooked.advance(WHOLE * 10)
    hooked.advance(3600)  # time for retries, had a delivery failed: there must still be exactly one
    assert len(receiver.received) == 1, [delivery.body for delivery in receiver.received]
    event = verify_both(receiver.received[0], SECRET)
    assert (event.type, event.data.id) == (event_type, response_id)
    assert type(event) is EVENT_CLASSES[event_type]


def test_a_response_without_background_sends_no_webhook(
    hooked: CliServer, sdk: Sdk, receiver: LoopbackReceiver
) -> None:
    client = sdk(hooked.base_url)
    assert client.responses.create(model="gpt-4o-mini", input="hi").status == "completed"
    hooked.advance(3600)
    assert receiver.received == []


def test_a_background_stream_arrives_as_the_clock_moves_and_resumes(live: CliServer, sdk: Sdk) -> None:
    # A client without the spec check's hook, which would read the whole stream before the SDK saw any of it.
    client = sdk(live.base_url, http_client=httpx.Client(timeout=30))
    seen: list[Any] = []
    with client.responses.create(model="gpt-4o-mini", input="hi", background=True, stream=True) as stream:
        for event in stream:
            seen.append(event)
            if event.type == "response.queued":
                live.advance(QUEUED)  # only now does it go on
            elif event.type == "response.in_progress":
                response_id = event.response.id
                break  # a dropped connection
    assert [event.type for event in seen] == ["response.created", "response.queued", "response.in_progress"]
    live.advance(WHOLE)
    rest = list(client.responses.retrieve(response_id, stream=True, starting_after=seen[-1].sequence_number))
    assert rest[0].sequence_number == 3 and rest[-1].type == "response.completed"
    assert rest[-1].response.output_text == client.responses.retrieve(response_id).output_text


def test_the_readme_example_runs_as_pasted(pytester: pytest.Pytester) -> None:
    ((_, source),) = [block for block in code_blocks("Background responses") if block[0] == "python"]
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(test_background_responses=source)
    pytester.runpytest("-p", "no:cacheprovider", "--strict-markers").assert_outcomes(passed=3)


def test_the_harness_forces_a_response_and_azure_clients_reach_it(mock_server_factory: Callable[..., Any]) -> None:
    server = mock_server_factory()
    response = server.client().responses.create(model="gpt-4o-mini", input="hi", background=True)
    forced = server.transition(response.id, "incomplete", incomplete_details={"reason": "content_filter"})
    assert (forced["status"], forced["incomplete_details"]) == ("incomplete", {"reason": "content_filter"})
    azure = openai.AzureOpenAI(api_key="k", azure_endpoint=server.url, api_version="2025-04-01-preview", max_retries=0)
    assert azure.responses.retrieve(response.id).status == "incomplete"
    v1 = openai.OpenAI(api_key="k", base_url=f"{server.url}/openai/v1", max_retries=0)
    assert v1.responses.cancel(v1.responses.create(model="m", input="hi", background=True).id).status == "cancelled"
