"""Responses driven by the official SDK (sync and async, strict validation) on the manual clock: answered at once,
or in the background through every state, scenario and cancel path."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from mockserver import Settings, create_app
from mockserver.kinds import DEFAULT_PHASES
from mockserver.kinds.responses import KIND
from mockserver.services import Services
from tests.conftest import Advance, resolve

QUEUED = DEFAULT_PHASES["response.queued"]
IN_PROGRESS = DEFAULT_PHASES["response.in_progress"]
WHOLE = QUEUED + IN_PROGRESS

Create = Callable[..., Awaitable[Any]]


@pytest.fixture
def create(sdk: Any) -> Create:
    """Create a response with the SDK under test: in the background unless told otherwise."""

    async def create(scenario: str | None = None, **params: Any) -> Any:
        params = {"model": "gpt-4o-mini", "input": "Write a haiku about tests.", "background": True, **params}
        headers = {"x-mock-scenario": scenario} if scenario else None
        return await resolve(sdk.responses.create(**params, extra_headers=headers))

    return create


async def retrieve(sdk: Any, response_id: str) -> Any:
    return await resolve(sdk.responses.retrieve(response_id))


async def test_without_background_it_is_answered_completed_at_once_echoing_the_request(
    sdk: Any, create: Create, advance: Advance
) -> None:
    response = await create(
        background=None,
        instructions="Be brief.",
        metadata={"team": "qa"},
        temperature=0.2,
        top_p=0.9,
        max_output_tokens=500,
        store=True,
        safety_identifier="user-1",
    )
    assert response.id.startswith("resp_") and response.object == "response"
    assert (response.status, response.background, response.completed_at) == ("completed", False, response.created_at)
    assert (response.instructions, response.metadata, response.temperature, response.top_p) == (
        "Be brief.", {"team": "qa"}, 0.2, 0.9,
    )  # fmt: skip
    assert (response.model, response.max_output_tokens, response.store) == ("gpt-4o-mini", 500, True)
    assert response.output_text and response.output[0].role == "assistant"  # the SDK's own property
    usage = response.usage
    assert usage is not None and usage.output_tokens == max(1, len(response.output_text) // 4)
    assert usage.total_tokens == usage.input_tokens + usage.output_tokens
    assert (await retrieve(sdk, response.id)).output_text == response.output_text
    assert (await advance(3600))["transitions"] == []  # nothing left to happen, so no webhook either


async def test_a_background_response_walks_queued_in_progress_completed_on_the_clock(
    sdk: Any, create: Create, advance: Advance
) -> None:
    response = await create()
    assert (response.status, response.background, response.output, response.usage) == ("queued", True, [], None)
    await advance(QUEUED)
    assert (await retrieve(sdk, response.id)).status == "in_progress"
    answer = await advance(IN_PROGRESS)
    assert [(t["object"], t["from"], t["to"]) for t in answer["transitions"]] == [
        ("response", "in_progress", "completed")
    ]
    done = await retrieve(sdk, response.id)
    assert done.status == "completed" and done.completed_at == response.created_at + int(WHOLE)
    assert done.output_text and done.usage is not None and done.error is None


@pytest.mark.parametrize("by", ["header", "metadata"])
@pytest.mark.parametrize(
    ("scenario", "status"),
    [("succeed", "completed"), ("fail", "failed"), ("incomplete", "incomplete"), ("stall", "queued")],
)
async def test_each_scenario_ends_where_it_says(
    sdk: Any, create: Create, advance: Advance, by: str, scenario: str, status: str
) -> None:
    if by == "header":
        response = await create(scenario)
    else:
        response = await create(metadata={"mock_scenario": scenario})
    await advance(WHOLE * 100)
    done = await retrieve(sdk, response.id)
    assert done.status == status
    if status == "failed":
        assert done.error is not None and done.error.code == "server_error" and done.error.message
        assert done.output == []
    if status == "incomplete":
        assert done.incomplete_details is not None and done.incomplete_details.reason == "max_output_tokens"
        assert done.output[0].status == "incomplete" and done.completed_at is None


async def test_an_unknown_scenario_is_a_400(create: Create) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        await create("explode")
    assert caught.value.param == "x-mock-scenario"


@pytest.mark.parametrize("background", [True, None])
async def test_max_output_tokens_below_the_text_makes_it_incomplete_with_the_text_cut(
    sdk: Any, create: Create, advance: Advance, background: bool | None
) -> None:
    whole = await create(background=None)
    response = await create(background=background, max_output_tokens=16)
    await advance(WHOLE)
    cut = await retrieve(sdk, response.id)
    assert cut.status == "incomplete" and cut.incomplete_details.reason == "max_output_tokens"
    assert 0 < len(cut.output_text) <= 16 * 4 < len(whole.output_text)
    assert cut.usage.output_tokens <= 16


@pytest.mark.parametrize(("window", "stretch"), [("2h", 900), ("8h", 3600)])
async def test_the_discounted_completion_windows_keep_it_queued_longer(
    sdk: Any, create: Create, advance: Advance, window: str, stretch: float
) -> None:
    response = await create(extra_body={"background_options": {"completion_window": window}})
    await advance(QUEUED * stretch - 1)
    assert (await retrieve(sdk, response.id)).status == "queued"
    await advance(1 + IN_PROGRESS)
    assert (await retrieve(sdk, response.id)).status == "completed"


@pytest.mark.parametrize("elapsed", [0, QUEUED])
async def test_cancel_from_queued_or_in_progress_answers_cancelled_and_again_on_a_second_cancel(
    sdk: Any, create: Create, advance: Advance, elapsed: float
) -> None:
    response = await create()
    await advance(elapsed)
    cancelled = await resolve(sdk.responses.cancel(response.id))
    assert cancelled.status == "cancelled" and cancelled.id == response.id
    again = await resolve(sdk.responses.cancel(response.id))
    assert again.status == "cancelled"
    assert (await advance(WHOLE))["transitions"] == []
    assert (await retrieve(sdk, response.id)).status == "cancelled"


@pytest.mark.parametrize("scenario", ["succeed", "fail", "incomplete"])
async def test_cancelling_a_finished_response_is_a_400_naming_its_status(
    sdk: Any, create: Create, advance: Advance, scenario: str
) -> None:
    response = await create(scenario)
    await advance(WHOLE)
    status = (await retrieve(sdk, response.id)).status
    with pytest.raises(openai.BadRequestError, match=f"because its status is '{status}'") as caught:
        await resolve(sdk.responses.cancel(response.id))
    assert caught.value.type == "invalid_request_error"


async def test_cancelling_a_response_made_without_background_is_a_400(sdk: Any, create: Create) -> None:
    response = await create(background=False)
    with pytest.raises(openai.BadRequestError, match="background=true"):
        await resolve(sdk.responses.cancel(response.id))


async def test_delete_removes_it_and_its_pending_outcome(sdk: Any, create: Create, advance: Advance) -> None:
    response = await create()
    assert await resolve(sdk.responses.delete(response.id)) is None
    assert (await advance(WHOLE))["transitions"] == []
    for call in (sdk.responses.retrieve, sdk.responses.delete, sdk.responses.cancel):
        with pytest.raises(openai.NotFoundError, match=response.id):
            await resolve(call(response.id))


async def test_input_items_list_the_input_newest_first_and_paginate(sdk: Any, create: Create) -> None:
    messages = [{"role": "user", "content": f"message {i}"} for i in range(3)]
    response = await create(input=messages)
    page = await resolve(sdk.responses.input_items.list(response.id, limit=2))
    assert [item.content[0].text for item in page.data] == ["message 2", "message 1"] and page.has_more
    oldest = await resolve(sdk.responses.input_items.list(response.id, order="asc"))
    assert [item.content[0].text for item in oldest.data] == ["message 0", "message 1", "message 2"]
    assert all(item.id.startswith("msg_") and item.role == "user" for item in oldest.data)


async def test_input_tokens_are_counted_as_the_rest_of_the_mock_counts(sdk: Any) -> None:
    text = "count these words please, all of them"
    counted = await resolve(sdk.responses.input_tokens.count(model="gpt-4o-mini", input=text))
    assert (counted.object, counted.input_tokens) == ("response.input_tokens", len(text) // 4)


async def test_previous_response_id_is_echoed_and_an_unknown_one_refused(sdk: Any, create: Create) -> None:
    first = await create(background=False)
    second = await create(previous_response_id=first.id)
    assert second.previous_response_id == first.id
    with pytest.raises(openai.NotFoundError) as caught:
        await create(previous_response_id="resp_nope")
    assert caught.value.param == "previous_response_id"


async def test_a_response_not_stored_cannot_be_retrieved(sdk: Any, create: Create) -> None:
    response = await create(background=False, store=False)
    assert response.status == "completed" and response.store is False
    with pytest.raises(openai.NotFoundError):
        await retrieve(sdk, response.id)


async def test_any_model_name_is_accepted_and_echoed(create: Create) -> None:
    assert (await create(model="o3-deep-research-2026-01-01")).model == "o3-deep-research-2026-01-01"


async def test_output_is_reproducible_under_a_seed() -> None:
    texts = []
    for _ in range(2):
        app = create_app(Settings(clock="manual", seed=7))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
            body = {"model": "gpt-4o-mini", "input": "hi"}
            answer = await http.post("/v1/responses", json=body, headers={"Authorization": "Bearer sk-test"})
            texts.append((answer.json()["id"], answer.json()["output"][0]["content"][0]["text"]))
    assert texts[0] == texts[1]


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"input": "hi"}, "model"),
        ({"model": 5, "input": "hi"}, "model"),
        ({"model": "m", "input": "hi", "background": "yes"}, "background"),
        ({"model": "m", "input": "hi", "temperature": "hot"}, "temperature"),
        ({"model": "m", "input": "hi", "temperature": 3}, "temperature"),
        ({"model": "m", "input": "hi", "max_output_tokens": 5}, "max_output_tokens"),
        ({"model": "m", "input": 7}, "input"),
        ({"model": "m", "input": "hi", "metadata": {"k": 1}}, "metadata"),
        ({"model": "m", "input": "hi", "surprise": True}, "surprise"),
        ({"model": "m", "input": "hi", "background": True, "store": False}, "store"),
        ({"model": "m", "background_options": {"completion_window": "2h"}}, "background_options.completion_window"),
        ({"model": "m", "background_options": {"completion_window": "1h"}, "background": True},
         "background_options.completion_window"),
        ({"model": "m", "background_options": {"completion_window": "8h"}, "background": True, "stream": True},
         "background_options.completion_window"),
    ],
)  # fmt: skip
async def test_bad_create_requests_are_400s_in_the_real_envelope(
    http: httpx.AsyncClient, body: dict[str, Any], param: str
) -> None:
    answer = await http.post("/v1/responses", json=body)
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert (error["type"], error["param"]) == ("invalid_request_error", param) and error["message"]


@pytest.mark.parametrize(
    ("method", "suffix"),
    [("GET", ""), ("DELETE", ""), ("POST", "/cancel"), ("GET", "/input_items"), ("GET", "?stream=true")],
)
async def test_unknown_ids_are_404s_naming_the_id(http: httpx.AsyncClient, method: str, suffix: str) -> None:
    answer = await http.request(method, f"/v1/responses/resp_nope{suffix}")
    assert answer.status_code == 404
    assert answer.json()["error"]["message"] == "Response with id 'resp_nope' not found."


@pytest.mark.parametrize("settings", [Settings(clock="manual", project_per_key=True)])
async def test_another_projects_response_is_a_404(http: httpx.AsyncClient) -> None:
    created = await http.post("/v1/responses", json={"model": "m", "input": "hi", "background": True})
    other = {"Authorization": "Bearer sk-other"}
    for method, suffix in (("GET", ""), ("POST", "/cancel"), ("DELETE", ""), ("GET", "/input_items")):
        answer = await http.request(method, f"/v1/responses/{created.json()['id']}{suffix}", headers=other)
        assert answer.status_code == 404, (method, suffix)


# -- what derives from the registration --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "details", "check"),
    [
        ("in_progress", {}, lambda r: r["output"] == []),
        ("completed", {}, lambda r: r["output"][0]["content"][0]["text"]),
        ("failed", {"error": {"code": "rate_limit_exceeded", "message": "Slow down."}},
         lambda r: r["error"] == {"code": "rate_limit_exceeded", "message": "Slow down."}),
        ("incomplete", {"incomplete_details": {"reason": "content_filter"}},
         lambda r: r["incomplete_details"] == {"reason": "content_filter"} and r["output"][0]["content"] == []),
        ("cancelled", {}, lambda r: r["output"] == []),
    ],
)  # fmt: skip
async def test_forced_transitions_through_the_kinds_control_route(
    http: httpx.AsyncClient, target: str, details: dict[str, Any], check: Callable[[dict[str, Any]], Any]
) -> None:
    created = (await http.post("/v1/responses", json={"model": "m", "input": "hi", "background": True})).json()
    route = "/_mock" + KIND.transition_route.replace("{id}", created["id"])
    forced = await http.post(route, json={"status": target, **details})
    assert forced.status_code == 200, forced.text
    assert forced.json()["status"] == target and check(forced.json())
    again = await http.post(f"/_mock/objects/{created['id']}/transition", json={"status": "queued"})
    assert again.status_code == 400 and again.json()["error"]["code"] == "invalid_transition"


async def test_a_reset_forgets_responses(http: httpx.AsyncClient, services: Services) -> None:
    created = (await http.post("/v1/responses", json={"model": "m", "input": "hi", "background": True})).json()
    await http.post("/_mock/reset")
    assert (await http.get(f"/v1/responses/{created['id']}")).status_code == 404
    assert services.scheduler.pending() == 0


async def test_faults_and_the_journal_cover_responses(http: httpx.AsyncClient) -> None:
    fault = await http.post("/_mock/faults", json={"path": "/v1/responses", "status": 503, "times": 1})
    assert fault.status_code == 200, fault.text
    assert (await http.post("/v1/responses", json={"model": "m", "input": "hi"})).status_code == 503
    assert (await http.post("/v1/responses", json={"model": "m", "input": "hi"})).status_code == 200
    journal = (await http.get("/_mock/requests", params={"path": "/v1/responses"})).json()["data"]
    assert [entry["status"] for entry in journal] == [200, 503]


def test_the_kind_is_seedable_and_triggerable(services: Services) -> None:
    assert KIND.seedable and KIND.triggerable
    lifecycle = services.lifecycles[KIND.name]
    response = lifecycle.create_for_trigger("proj_default")
    assert (response.status, response.background) == ("queued", True)
    assert lifecycle.force(response.id, "completed").status == "completed"


async def test_a_fixtures_file_seeds_responses_in_every_state(tmp_path: Path) -> None:
    states = {"queued": {}, "in_progress": {}, "completed": {}, "cancelled": {},
              "failed": {"error": {"code": "server_error", "message": "Seeded failure."}},
              "incomplete": {"incomplete_details": {"reason": "content_filter"}}}  # fmt: skip
    entries = [
        {"id": f"resp_seed{status}", "status": status, "model": "gpt-4o-mini", "input": "hi", "background": True,
         **details}
        for status, details in states.items()
    ]  # fmt: skip
    path = tmp_path / "fixtures.json"
    path.write_text(json.dumps({"responses": entries}))
    app = create_app(Settings(clock="manual", fixtures=path, seed=3))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        http.headers["Authorization"] = "Bearer sk-test"
        for status in states:
            seeded = (await http.get(f"/v1/responses/resp_seed{status}")).json()
            assert seeded["status"] == status
        failed = (await http.get("/v1/responses/resp_seedfailed")).json()
        assert failed["error"]["message"] == "Seeded failure."
        assert (await http.post("/v1/responses/resp_seedqueued/cancel")).json()["status"] == "cancelled"
        await http.post("/_mock/reset")
        assert (await http.get("/v1/responses/resp_seedqueued")).json()["status"] == "queued"
