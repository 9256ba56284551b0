"""`/_mock/webhooks/endpoints`: create, list, update, rotate, delete, and what they refuse."""

from __future__ import annotations

import httpx
import pytest

from tests.webhooks.conftest import HOOK_URL, SECRET


async def test_create_list_retrieve_update_delete(http: httpx.AsyncClient) -> None:
    created = await http.post(
        "/_mock/webhooks/endpoints",
        json={"url": "https://example.test/hooks", "events": ["batch.completed"], "project": "proj_1"},
    )
    assert created.status_code == 200, created.text
    endpoint = created.json()
    assert endpoint["id"].startswith("we_") and endpoint["secret"].startswith("whsec_")
    assert (endpoint["events"], endpoint["project"], endpoint["enabled"]) == (["batch.completed"], "proj_1", True)
    listed = (await http.get("/_mock/webhooks/endpoints")).json()["data"]
    assert [e["id"] for e in listed] == ["we_cli_1", endpoint["id"]]
    assert listed[0]["url"] == HOOK_URL and listed[0]["secret"] == SECRET and listed[0]["events"] is None
    assert (await http.get(f"/_mock/webhooks/endpoints/{endpoint['id']}")).json() == endpoint
    patched = await http.patch(f"/_mock/webhooks/endpoints/{endpoint['id']}", json={"enabled": False, "events": None})
    assert patched.json()["enabled"] is False and patched.json()["events"] is None
    deleted = await http.delete(f"/_mock/webhooks/endpoints/{endpoint['id']}")
    assert deleted.json() == {"id": endpoint["id"], "object": "webhook_endpoint", "deleted": True}
    assert (await http.get(f"/_mock/webhooks/endpoints/{endpoint['id']}")).status_code == 404


async def test_a_given_secret_is_kept(http: httpx.AsyncClient) -> None:
    secret = "whsec_" + "QUJD" * 8
    endpoint = (await http.post("/_mock/webhooks/endpoints", json={"url": "http://a.test/", "secret": secret})).json()
    assert endpoint["secret"] == secret


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"url": "ftp://example.test/"}, "url"),
        ({"url": "not a url"}, "url"),
        ({}, "url"),
        ({"url": "http://a.test/", "events": ["fine_tuning.job.running"]}, "events"),
        ({"url": "http://a.test/", "events": "fine_tuning.job.succeeded"}, "events"),
        ({"url": "http://a.test/", "secret": "shh"}, "secret"),
        ({"url": "http://a.test/", "secret": "whsec_***"}, "secret"),
        ({"url": "http://a.test/", "colour": "red"}, "colour"),
    ],
)
async def test_bad_endpoints_are_400s_naming_the_field(
    http: httpx.AsyncClient, body: dict[str, object], param: str
) -> None:
    response = await http.post("/_mock/webhooks/endpoints", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == param
    assert len((await http.get("/_mock/webhooks/endpoints")).json()["data"]) == 1  # only the command line's


async def test_unknown_endpoints_are_404s(http: httpx.AsyncClient) -> None:
    for response in (
        await http.get("/_mock/webhooks/endpoints/we_nope"),
        await http.patch("/_mock/webhooks/endpoints/we_nope", json={"enabled": True}),
        await http.delete("/_mock/webhooks/endpoints/we_nope"),
        await http.post("/_mock/webhooks/endpoints/we_nope/rotate", json={}),
    ):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "endpoint_not_found"


async def test_rotate_with_a_given_secret_and_no_overlap(http: httpx.AsyncClient) -> None:
    new = "whsec_" + "WFla" * 8
    rotated = await http.post(
        "/_mock/webhooks/endpoints/we_cli_1/rotate", json={"secret": new, "expire_previous_after": 0}
    )
    assert rotated.json()["secret"] == new and rotated.json()["previous_secrets"] == []
    bad = await http.post("/_mock/webhooks/endpoints/we_cli_1/rotate", json={"secret": "plain"})
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "secret"
