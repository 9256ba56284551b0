"""Response streams consumed by the official SDK: `create(stream=True)`, the `responses.stream()` helper and
`retrieve(stream=True, starting_after=)`, sync and async; a background stream that waits for the clock."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import openai
import pytest

from mockserver.kinds import DEFAULT_PHASES
from mockserver.services import Services
from tests.conftest import Advance, resolve

WHOLE = DEFAULT_PHASES["response.queued"] + DEFAULT_PHASES["response.in_progress"]
PARAMS: dict[str, Any] = {"model": "gpt-4o-mini", "input": "Tell me a story."}
MESSAGE = [
    "response.output_item.added",
    "response.content_part.added",
    "response.output_text.delta",
    "response.output_text.done",
    "response.content_part.done",
    "response.output_item.done",
]


async def consume(stream: Any) -> list[Any]:
    """Every event of an SDK stream, whether the sync or the async client made it."""
    if hasattr(stream, "__aiter__"):
        return [event async for event in stream]
    return list(stream)


def shape(events: list[Any]) -> list[str]:
    """The event types in order, runs of text deltas as one."""
    types = [event.type for event in events]
    return [kind for index, kind in enumerate(types) if index == 0 or kind != types[index - 1]]


def assert_numbered_from(events: list[Any], first: int) -> None:
    assert [event.sequence_number for event in events] == list(range(first, first + len(events)))


def text_of(events: list[Any]) -> str:
    return "".join(event.delta for event in events if event.type == "response.output_text.delta")


async def follow(client: openai.AsyncOpenAI, response_id: str, **params: Any) -> list[Any]:
    """A background response's stream, read to its end (in-process, the answer is whole once the stream ends)."""
    return await consume(await client.responses.retrieve(response_id, stream=True, **params))


async def finished_background(sdk: Any, advance: Advance, scenario: str = "succeed") -> Any:
    response = await resolve(
        sdk.responses.create(**PARAMS, background=True, extra_headers={"x-mock-scenario": scenario})
    )
    await advance(WHOLE)
    return await resolve(sdk.responses.retrieve(response.id))


async def test_create_stream_true_sends_the_real_events_in_order(sdk: Any) -> None:
    events = await consume(await resolve(sdk.responses.create(**PARAMS, stream=True)))
    assert shape(events) == ["response.created", "response.in_progress", *MESSAGE, "response.completed"]
    assert_numbered_from(events, 0)
    assert events[0].response.status == "in_progress"
    final = events[-1].response
    assert final.status == "completed" and final.output_text == text_of(events) == events[-4].text
    assert (await resolve(sdk.responses.retrieve(final.id))).output_text == final.output_text


async def test_the_stream_helper_builds_the_final_response(make_sdk: Any) -> None:
    sdk = make_sdk()
    manager = sdk.responses.stream(**PARAMS)
    if isinstance(sdk, openai.AsyncOpenAI):
        async with manager as stream:
            deltas = [event.delta async for event in stream if event.type == "response.output_text.delta"]
            final = await stream.get_final_response()
    else:
        with manager as stream:
            deltas = [event.delta for event in stream if event.type == "response.output_text.delta"]
            final = stream.get_final_response()
    assert final.status == "completed" and final.output_text == "".join(deltas)


@pytest.mark.parametrize(
    ("scenario", "ending"),
    [
        ("succeed", [*MESSAGE, "response.completed"]),
        ("incomplete", [*MESSAGE, "response.incomplete"]),
        ("fail", ["response.failed"]),
    ],
)
async def test_a_finished_background_stream_replays_its_whole_life(
    sdk: Any, advance: Advance, scenario: str, ending: list[str]
) -> None:
    response = await finished_background(sdk, advance, scenario)
    events = await consume(await resolve(sdk.responses.retrieve(response.id, stream=True)))
    assert shape(events) == ["response.created", "response.queued", "response.in_progress", *ending]
    assert_numbered_from(events, 0)
    assert [event.response.status for event in events if hasattr(event, "response")] == [
        "queued", "queued", "in_progress", response.status,
    ]  # fmt: skip


@pytest.mark.parametrize("starting_after", [0, 2, 5])
async def test_a_stream_resumes_after_the_event_given(sdk: Any, advance: Advance, starting_after: int) -> None:
    response = await finished_background(sdk, advance)
    whole = await consume(await resolve(sdk.responses.retrieve(response.id, stream=True)))
    rest = await consume(await resolve(sdk.responses.retrieve(response.id, stream=True, starting_after=starting_after)))
    assert_numbered_from(rest, starting_after + 1)
    assert [event.type for event in rest] == [event.type for event in whole[starting_after + 1 :]]
    assert rest[-1].response.output_text == response.output_text


async def test_the_stream_helper_resumes_by_response_id(make_sdk: Any, advance: Advance) -> None:
    sdk = make_sdk()
    response = await finished_background(sdk, advance)
    manager = sdk.responses.stream(response_id=response.id, starting_after=3)
    if isinstance(sdk, openai.AsyncOpenAI):
        async with manager as stream:
            events = [event async for event in stream]
    else:
        with manager as stream:
            events = list(stream)
    assert events[0].sequence_number == 4 and events[-1].type == "response.completed"


async def test_a_background_stream_sends_what_has_happened_then_waits_for_the_clock(
    client: openai.AsyncOpenAI, http: httpx.AsyncClient
) -> None:
    async def read() -> list[Any]:
        stream = await client.responses.create(**PARAMS, background=True, stream=True)
        return [event async for event in stream]

    reading = asyncio.create_task(read())
    for _ in range(20):  # the create is answered (and its stream waiting) once the journal has it
        if (await http.get("/_mock/requests", params={"path": "/v1/responses"})).json()["data"]:
            break
        await asyncio.sleep(0.01)
    assert not reading.done()
    await http.post("/_mock/clock/advance", json={"seconds": WHOLE / 2})
    assert not reading.done()
    await http.post("/_mock/clock/advance", json={"seconds": WHOLE})
    events = await asyncio.wait_for(reading, 5)
    assert shape(events) == [
        "response.created", "response.queued", "response.in_progress", *MESSAGE, "response.completed",
    ]  # fmt: skip
    assert_numbered_from(events, 0)


async def test_a_cancel_ends_a_waiting_stream(client: openai.AsyncOpenAI, http: httpx.AsyncClient) -> None:
    created = (await http.post("/v1/responses", json={**PARAMS, "background": True})).json()
    reading = asyncio.create_task(follow(client, created["id"], starting_after=0))
    await asyncio.sleep(0.05)
    assert not reading.done()
    assert (await http.post(f"/v1/responses/{created['id']}/cancel")).json()["status"] == "cancelled"
    events = await asyncio.wait_for(reading, 5)
    assert [event.type for event in events] == ["response.queued"]


async def test_a_reset_ends_a_waiting_stream(client: openai.AsyncOpenAI, http: httpx.AsyncClient) -> None:
    created = (await http.post("/v1/responses", json={**PARAMS, "background": True})).json()
    reading = asyncio.create_task(follow(client, created["id"]))
    await asyncio.sleep(0.05)
    await http.post("/_mock/reset")
    events = await asyncio.wait_for(reading, 5)
    assert [event.type for event in events] == ["response.created", "response.queued"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("stream=true&starting_after=99", "beyond the stream"),
        ("stream=true&starting_after=-1", "non-negative integer"),
        ("stream=true&starting_after=two", "non-negative integer"),
        ("stream=maybe", "expected a boolean"),
    ],
)
async def test_bad_stream_parameters_are_400s(http: httpx.AsyncClient, query: str, message: str) -> None:
    created = (await http.post("/v1/responses", json={**PARAMS, "background": True})).json()
    answer = await http.get(f"/v1/responses/{created['id']}?{query}")
    assert answer.status_code == 400 and message in answer.json()["error"]["message"]


async def test_only_a_background_response_can_be_streamed_after_creation(http: httpx.AsyncClient) -> None:
    created = (await http.post("/v1/responses", json=PARAMS)).json()
    answer = await http.get(f"/v1/responses/{created['id']}", params={"stream": "true"})
    assert answer.status_code == 400 and answer.json()["error"]["param"] == "stream"


async def test_events_are_framed_as_the_real_api_frames_them(http: httpx.AsyncClient, services: Services) -> None:
    answer = await http.post("/v1/responses", json={**PARAMS, "stream": True})
    assert answer.headers["content-type"].startswith("text/event-stream")
    blocks = answer.text.strip().split("\n\n")
    for block in blocks:
        name, data = block.split("\n")
        assert name.removeprefix("event: ") == json.loads(data.removeprefix("data: "))["type"]
