"""The real webhook endpoints API (`client.webhooks.create/retrieve/update/list/delete/rotate_secret`,
`client.webhooks.event_types.list`): shapes under the SDK's strict validation, what it refuses, and delivery that
follows what it configures."""

from __future__ import annotations

import typing
from typing import Any

import httpx
import openai
import pytest

from mockserver import Settings
from mockserver.webhooks.event_types import EVENT_TYPES
from tests.conftest import Advance, resolve, training_lines
from tests.verification import verify_both
from tests.webhooks.conftest import Receiver

HOOK = "http://127.0.0.1:9/hooks"  # only ever reached through the injected transport

needs_sdk_endpoints = pytest.mark.skipif(
    not hasattr(openai.OpenAI(api_key="unused").webhooks, "create"),
    reason="this openai SDK has no webhook endpoints methods (openai 2.x); the raw-HTTP tests cover the routes",
)


@pytest.fixture
def settings() -> Settings:
    return Settings(clock="manual", seed=42)  # no command-line endpoint: every delivery is the API's doing


async def _create(http: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    response = await http.post(
        "/v1/webhook_endpoints", json={"url": HOOK, "name": "prod", "event_types": ["batch.completed"], **body}
    )
    assert response.status_code == 200, response.text
    created: dict[str, Any] = response.json()
    return created


async def _job(client: openai.AsyncOpenAI, scenario: str = "succeed") -> str:
    """A fine-tuning job in the client's project, with the outcome `scenario`."""
    training = await client.files.create(file=("train.jsonl", training_lines()), purpose="fine-tune")
    headers = {"x-mock-scenario": scenario}
    job = await client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=training.id, extra_headers=headers)
    return job.id


@needs_sdk_endpoints
async def test_every_method_answers_the_sdks_types(sdk: Any, advance: Advance, receiver: Receiver) -> None:
    """Sync and async clients, strict response validation: each answer is the SDK's type for it."""
    webhooks = sdk.webhooks
    event_types = ["fine_tuning.job.succeeded", "batch.failed"]
    created = await resolve(webhooks.create(url=HOOK, name="prod", event_types=event_types))
    assert created.id.startswith("we_") and created.signing_secret.startswith("whsec_")
    assert created.signing_secret_hint == "whsec_****" + created.signing_secret[-4:]
    assert (created.name, created.url, created.event_types) == ("prod", HOOK, event_types)
    assert created.created_at == created.updated_at

    await advance(60)
    retrieved = await resolve(webhooks.retrieve(created.id))
    assert retrieved.model_dump() == {k: v for k, v in created.model_dump().items() if k != "signing_secret"}
    unchanged = await resolve(webhooks.update(created.id, name="prod"))
    assert unchanged.updated_at == created.updated_at  # an update that changes nothing does not advance it
    renamed = await resolve(webhooks.update(created.id, name="prod-2", event_types=["batch.failed"]))
    assert (renamed.name, renamed.event_types) == ("prod-2", ["batch.failed"])
    assert renamed.updated_at == created.updated_at + 60

    rotated = await resolve(webhooks.rotate_secret(created.id, keep_old_secret_active_for_24_hours=True))
    assert rotated.signing_secret != created.signing_secret
    assert rotated.signing_secret_hint != created.signing_secret_hint

    receiver.then(200, 500)
    tested = await resolve(webhooks.test(created.id, event_type="fine_tuning.job.succeeded"))
    assert (tested.status_code, tested.success, tested.event_type) == (200, True, "fine_tuning.job.succeeded")
    assert tested.webhook_endpoint_id == created.id
    assert (await resolve(webhooks.test(created.id, event_type="batch.failed"))).status_code == 500

    second = await resolve(webhooks.create(url=HOOK, name="other", event_types=["video.completed"]))
    page = await resolve(webhooks.list(limit=1))
    assert [e.id for e in page.data] == [second.id] and page.has_more  # newest first
    listed = [e.id for e in (await resolve(webhooks.list(limit=50))).data]
    assert listed == [second.id, created.id]

    assert (await resolve(webhooks.event_types.list())).data == list(EVENT_TYPES)

    deleted = await resolve(webhooks.delete(created.id))
    assert (deleted.id, deleted.deleted, deleted.object) == (created.id, True, "webhook_endpoint.deleted")
    with pytest.raises(openai.NotFoundError, match=f"No webhook endpoint found with id '{created.id}'"):
        await resolve(webhooks.retrieve(created.id))


async def test_a_test_event_is_one_signed_delivery_of_a_stand_in_object(
    http: httpx.AsyncClient, receiver: Receiver
) -> None:
    endpoint = await _create(http, event_types=["batch.completed"])
    answer = await http.post(f"/v1/webhook_endpoints/{endpoint['id']}/test", json={"event_type": "batch.expired"})
    assert answer.json() == {
        "object": "webhook_endpoint.test", "webhook_endpoint_id": endpoint["id"], "event_type": "batch.expired",
        "status_code": 200, "success": True,
    }  # fmt: skip
    (request,) = receiver.requests
    event = verify_both(request, endpoint["signing_secret"])  # any type may be tested, subscribed or not
    assert event.type == "batch.expired" and event.data.id.startswith("batch_")
    (attempt,) = (await http.get("/_mock/webhooks/deliveries")).json()["data"]
    assert (attempt["event_type"], attempt["succeeded"], attempt["next_retry_at"]) == ("batch.expired", True, None)
    assert (await http.get("/_mock/webhooks/events")).json()["data"] == []  # nothing happened to any object


async def test_a_test_event_that_cannot_be_delivered_is_a_400_naming_why(
    http: httpx.AsyncClient, receiver: Receiver
) -> None:
    endpoint = await _create(http)
    receiver.then(httpx.ConnectError("connection refused"))
    answer = await http.post(f"/v1/webhook_endpoints/{endpoint['id']}/test", json={"event_type": "batch.completed"})
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "webhook_test_failed" and "connection refused" in error["message"]
    refused = await http.post(f"/v1/webhook_endpoints/{endpoint['id']}/test", json={"event_type": "batch.done"})
    assert (refused.status_code, refused.json()["error"]["param"]) == (400, "event_type")


async def test_the_secret_is_shown_only_by_create_and_rotate(http: httpx.AsyncClient) -> None:
    created = await _create(http)
    assert "signing_secret" in created
    endpoint_id = created["id"]
    for response in (
        await http.get(f"/v1/webhook_endpoints/{endpoint_id}"),
        await http.post(f"/v1/webhook_endpoints/{endpoint_id}", json={"name": "x"}),
    ):
        assert response.status_code == 200 and "signing_secret" not in response.json()
    assert "signing_secret" not in (await http.get("/v1/webhook_endpoints")).json()["data"][0]
    rotated = await http.post(f"/v1/webhook_endpoints/{endpoint_id}/rotate_secret", json={})
    assert rotated.json()["signing_secret"] not in (created["signing_secret"], None)


def test_the_event_types_are_exactly_the_sdks_list() -> None:
    params = pytest.importorskip("openai.types.webhooks.webhook_create_params")
    (listed,) = typing.get_args(typing.get_type_hints(params.WebhookCreateParams)["event_types"])
    assert list(typing.get_args(listed)) == list(EVENT_TYPES)


@pytest.mark.parametrize(
    ("body", "param", "message"),
    [
        ({"name": "n", "event_types": ["batch.completed"]}, "url", "Missing required parameter: 'url'."),
        ({"url": HOOK, "event_types": ["batch.completed"]}, "name", "Missing required parameter: 'name'."),
        ({"url": HOOK, "name": "n"}, "event_types", "Missing required parameter: 'event_types'."),
        ({"url": "ftp://a.test/", "name": "n", "event_types": ["batch.completed"]}, "url", "http or https URL"),
        ({"url": "hooks", "name": "n", "event_types": ["batch.completed"]}, "url", "http or https URL"),
        ({"url": HOOK, "name": "", "event_types": ["batch.completed"]}, "name", "empty string"),
        ({"url": HOOK, "name": "n", "event_types": []}, "event_types", "array too short"),
        ({"url": HOOK, "name": "n", "event_types": "batch.completed"}, "event_types", "expected an array"),
        (
            {"url": HOOK, "name": "n", "event_types": ["batch.completed", "fine_tuning.job.canceled"]},
            "event_types[1]",
            "Unknown event type 'fine_tuning.job.canceled'. Did you mean 'fine_tuning.job.cancelled'?",
        ),
        ({"url": HOOK, "name": "n", "event_types": ["batch.completed"], "secret": "s"}, "secret", "Unknown parameter"),
    ],
)
async def test_bad_creates_are_400s_naming_the_field(
    http: httpx.AsyncClient, body: dict[str, Any], param: str, message: str
) -> None:
    response = await http.post("/v1/webhook_endpoints", json=body)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert (error["param"], error["type"]) == (param, "invalid_request_error") and message in error["message"]
    assert (await http.get("/v1/webhook_endpoints")).json()["data"] == []  # nothing half-made


async def test_unknown_and_other_projects_endpoints_are_404s(http: httpx.AsyncClient) -> None:
    mine = (await _create(http))["id"]
    other = {"OpenAI-Project": "proj_other"}
    for method, path, body in (
        ("GET", "", None),
        ("POST", "", {"name": "stolen"}),
        ("DELETE", "", None),
        ("POST", "/rotate_secret", {}),
    ):
        for endpoint_id, headers in ((mine, other), ("we_nope", {})):
            response = await http.request(
                method, f"/v1/webhook_endpoints/{endpoint_id}{path}", json=body, headers=headers
            )
            assert response.status_code == 404, (method, path, response.text)
            assert response.json()["error"]["message"] == f"No webhook endpoint found with id '{endpoint_id}'."
    assert (await http.get("/v1/webhook_endpoints", headers=other)).json()["data"] == []
    assert (await http.get(f"/v1/webhook_endpoints/{mine}")).json()["name"] == "prod"  # untouched by the others


async def test_an_endpoint_receives_its_projects_events_of_its_types_signed_with_its_secret(
    http: httpx.AsyncClient, client: openai.AsyncOpenAI, advance: Advance, receiver: Receiver
) -> None:
    endpoint = await _create(http, event_types=["fine_tuning.job.cancelled", "fine_tuning.job.failed"])
    cancelled = await _job(client, "stall")
    await client.fine_tuning.jobs.cancel(cancelled)
    failed = await _job(client, "fail")
    await _job(client)  # succeeds: not subscribed
    other = openai.AsyncOpenAI(
        api_key="sk-test", base_url=str(client.base_url), http_client=client._client, max_retries=0,
        default_headers={"OpenAI-Project": "proj_other"},
    )  # fmt: skip
    await other.fine_tuning.jobs.cancel(await _job(other, "stall"))  # another project's: not sent
    await advance(3600)
    events = [verify_both(request, endpoint["signing_secret"]) for request in receiver.requests]
    assert sorted((event.type, event.data.id) for event in events) == sorted(
        [("fine_tuning.job.cancelled", cancelled), ("fine_tuning.job.failed", failed)]
    )


async def test_a_rotation_that_keeps_the_old_secret_signs_with_both_for_24_hours(
    http: httpx.AsyncClient, client: openai.AsyncOpenAI, advance: Advance, receiver: Receiver
) -> None:
    endpoint = await _create(http, event_types=["fine_tuning.job.cancelled"])
    old = endpoint["signing_secret"]
    new = (await http.post(f"/v1/webhook_endpoints/{endpoint['id']}/rotate_secret",
                           json={"keep_old_secret_active_for_24_hours": True})).json()["signing_secret"]  # fmt: skip
    await client.fine_tuning.jobs.cancel(await _job(client, "stall"))
    await advance(24 * 3600 - 1)
    await client.fine_tuning.jobs.cancel(await _job(client, "stall"))
    await advance(2)
    await client.fine_tuning.jobs.cancel(await _job(client, "stall"))
    await advance(0)
    first, last_day, after = receiver.requests
    for request in (first, last_day):
        assert len(request.headers["webhook-signature"].split()) == 2
        verify_both(request, old)
        verify_both(request, new)
    assert len(after.headers["webhook-signature"].split()) == 1
    verify_both(after, new)
    with pytest.raises(Exception, match="signature"):
        verify_both(after, old)


async def test_a_rotation_without_keeping_the_old_secret_stops_it_at_once(
    http: httpx.AsyncClient, client: openai.AsyncOpenAI, advance: Advance, receiver: Receiver
) -> None:
    endpoint = await _create(http, event_types=["fine_tuning.job.cancelled"])
    new = (await http.post(f"/v1/webhook_endpoints/{endpoint['id']}/rotate_secret")).json()["signing_secret"]
    await client.fine_tuning.jobs.cancel(await _job(client, "stall"))
    await advance(0)
    (request,) = receiver.requests
    assert len(request.headers["webhook-signature"].split()) == 1
    verify_both(request, new)


async def test_the_control_api_shows_them_and_a_reset_forgets_them(http: httpx.AsyncClient) -> None:
    endpoint = await _create(http, name="deploy-time")
    (shown,) = (await http.get("/_mock/webhooks/endpoints")).json()["data"]
    assert (shown["id"], shown["source"], shown["name"], shown["project"]) == (
        endpoint["id"], "openai", "deploy-time", "proj_default",
    )  # fmt: skip
    assert shown["events"] == ["batch.completed"] and shown["secret"] == endpoint["signing_secret"]
    await http.post("/_mock/reset")
    assert (await http.get("/v1/webhook_endpoints")).json()["data"] == []
    assert (await http.get("/_mock/webhooks/endpoints")).json()["data"] == []
