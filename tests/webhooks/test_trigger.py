"""`POST /_mock/webhooks/trigger`: every subscribable type, through a real object where a kind announces it, and
the opt-in `mock.transition` events; deliveries verified by the SDK and standardwebhooks."""

from __future__ import annotations

import json
import typing
from typing import Any

import httpx
import openai
import pytest
from openai.types.webhooks import unwrap_webhook_event

from mockserver import Settings, create_app
from mockserver.kinds import KINDS
from mockserver.services import Services
from mockserver.testing.receiver import InProcessReceiver, object_id
from mockserver.webhooks.event_types import EVENT_TYPES
from tests.conftest import resolve
from tests.verification import verify_both
from tests.webhooks.conftest import HOOK_URL, SECRET, Receiver

SDK_CLASSES = {
    typing.get_args(cls.model_fields["type"].annotation)[0]: cls
    for cls in typing.get_args(typing.get_args(unwrap_webhook_event.UnwrapWebhookEvent)[0])
}
# event type -> (kind name, the status that announces it)
ANNOUNCING = {event_type: (kind.name, status) for kind in KINDS for status, event_type in kind.events.items()}


async def _trigger(http: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    response = await http.post("/_mock/webhooks/trigger", json=body)
    assert response.status_code == 200, response.text
    await http.post("/_mock/webhooks/settle")
    answer: dict[str, Any] = response.json()
    return answer


@pytest.mark.parametrize("event_type", EVENT_TYPES)
async def test_every_type_is_triggered_once_signed_and_parsed_by_the_sdk(
    event_type: str, http: httpx.AsyncClient, receiver: Receiver, services: Services
) -> None:
    answer = await _trigger(http, {"type": event_type})
    assert len(receiver.requests) == 1, [r.content for r in receiver.requests]
    delivered = receiver.requests[0]
    event = verify_both(delivered, SECRET)
    payload = json.loads(delivered.content)
    assert (event.type, event.id) == (event_type, answer["event"]["id"])
    assert answer["deliveries"] == [
        {"delivery_id": answer["deliveries"][0]["delivery_id"], "endpoint_id": "we_cli_1", "url": HOOK_URL,
         "webhook_id": delivered.headers["webhook-id"]}
    ]  # fmt: skip
    sdk_class = SDK_CLASSES.get(event_type)
    # Types this SDK has no class for (video.*; agent.* and safety.* before openai 3.x) are checked by unwrap() alone.
    if sdk_class is not None:
        sdk_class.model_validate(payload)  # strict: the data has every field of the SDK's class
    if event_type in ANNOUNCING:
        kind_name, status = ANNOUNCING[event_type]
        found = services.lifecycles[kind_name].objects.get("proj_default", answer["object_id"])
        assert found is not None and found.status == status and payload["data"] == {"id": found.id}
        assert not answer["stand_in"]
    else:
        assert answer["stand_in"] and answer["object_id"] is None
        assert services.lifecycle_of(object_id(event) or "") is None  # no object of any kind behind a stand-in


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # the SDK marks the Sora API deprecated
async def test_a_triggered_video_is_there_to_fetch_in_its_state(
    http: httpx.AsyncClient, client: openai.AsyncOpenAI
) -> None:
    answer = await _trigger(http, {"type": "video.failed"})
    video = await client.videos.retrieve(answer["object_id"])
    assert video.status == "failed" and video.error is not None


async def test_the_project_is_the_events_and_the_objects(http: httpx.AsyncClient, receiver: Receiver) -> None:
    await http.post("/_mock/webhooks/endpoints", json={"url": "http://other.test/", "project": "proj_other"})
    answer = await _trigger(http, {"type": "batch.completed", "project": "proj_other"})
    assert answer["event"]["project"] == "proj_other" and len(answer["deliveries"]) == 2
    mine = await http.get(f"/v1/batches/{answer['object_id']}", headers={"OpenAI-Project": "proj_other"})
    assert mine.status_code == 200 and mine.json()["status"] == "completed"
    assert (await http.get(f"/v1/batches/{answer['object_id']}")).status_code == 404


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"type": "batch.canceled"}, "Did you mean 'batch.cancelled'?"),
        ({"type": "mock.transition"}, "Unknown event type 'mock.transition'"),
        ({}, "Missing required parameter"),
        ({"type": "batch.completed", "extra": 1}, "Unknown parameter"),
    ],
)
async def test_bad_triggers_are_400s(http: httpx.AsyncClient, body: dict[str, Any], message: str) -> None:
    response = await http.post("/_mock/webhooks/trigger", json=body)
    assert response.status_code == 400 and message in response.json()["error"]["message"]


async def test_every_state_change_goes_only_to_endpoints_that_asked(
    http: httpx.AsyncClient, receiver: Receiver, advance: Any
) -> None:
    asked = (await http.post("/_mock/webhooks/endpoints", json={"url": "http://watch.test/", "secret": SECRET,
                                                                 "events": ["batch.completed"]})).json()  # fmt: skip
    patched = await http.patch(f"/_mock/webhooks/endpoints/{asked['id']}", json={"all_transitions": True})
    assert patched.json()["all_transitions"] is True
    video = (await http.post("/v1/videos", json={"prompt": "x"})).json()
    await advance(60)
    by_url: dict[str, list[Any]] = {}
    for request in receiver.requests:
        by_url.setdefault(str(request.url), []).append(verify_both(request, SECRET))
    assert [e.type for e in by_url[HOOK_URL]] == ["video.completed"]  # the CLI endpoint did not ask
    watched = [json.loads(r.content)["data"] for r in receiver.requests if str(r.url) == "http://watch.test/"]
    assert [(d["from"], d["to"]) for d in watched] == [("queued", "in_progress"), ("in_progress", "completed")]
    assert all(d["id"] == video["id"] and d["object"] == "video" and isinstance(d["at"], int) for d in watched)
    assert {e.type for e in by_url["http://watch.test/"]} == {"mock.transition"}  # its filter still holds


async def test_the_serve_flag_opts_the_cli_endpoints_in(receiver: Receiver) -> None:
    settings = Settings(
        clock="manual", seed=1, webhook_urls=(HOOK_URL,), webhook_secret=SECRET, webhook_all_transitions=True
    )
    app = create_app(settings, webhook_transport=httpx.MockTransport(receiver.handle))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://mockserver.test") as http:
        http.headers["Authorization"] = "Bearer sk-test"
        answer = await _trigger(http, {"type": "video.completed"})
    events = [verify_both(request, SECRET) for request in receiver.requests]
    assert sorted(e.type for e in events) == ["mock.transition", "mock.transition", "video.completed"]
    assert {object_id(e) for e in events} == {answer["object_id"]}


def test_the_receiver_helpers_handle_types_without_an_sdk_class() -> None:
    import time

    from mockserver.webhooks.signing import signed_headers

    inbox = InProcessReceiver("r", secret=SECRET)
    for event_type, data in [
        ("video.completed", {"id": "video_1"}),
        ("mock.transition", {"id": "video_1", "object": "video", "from": "queued", "to": "in_progress", "at": 1}),
        ("realtime.call.incoming", {"call_id": "rtc_1", "sip_headers": []}),
    ]:
        body = json.dumps({"object": "event", "id": f"evt_{event_type}", "type": event_type, "created_at": 1,
                           "data": data}).encode()  # fmt: skip
        assert inbox.receive(signed_headers([SECRET], "wh_1", int(time.time()), body), body) == 200
    assert [e.id for e in inbox.received("video.completed", object_id="video_1")] == ["evt_video.completed"]
    assert len(inbox.received("mock.transition", object_id="video_1")) == 1
    assert object_id(inbox.received("realtime.call.incoming")[0]) is None
    assert "realtime.call.incoming (no object)" in inbox.summary()


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # the SDK marks the Sora API deprecated
@pytest.mark.parametrize(("scenario", "event_type"), [("succeed", "video.completed"), ("fail", "video.failed")])
async def test_a_videos_outcome_is_announced_once(
    scenario: str, event_type: str, sdk: Any, receiver: Receiver, advance: Any
) -> None:
    video = await resolve(sdk.videos.create(prompt="x", extra_headers={"x-mock-scenario": scenario}))
    await advance(3600)
    events = [verify_both(request, SECRET) for request in receiver.requests]
    assert [(e.type, object_id(e)) for e in events] == [(event_type, video.id)]
    assert json.loads(receiver.requests[0].content)["data"] == {"id": video.id}
