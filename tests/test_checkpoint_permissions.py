"""Checkpoint permissions through the official SDK (sync and async, strict parsing), for a succeeded job's
checkpoints, named as the SDK names them (`ft:…:ckpt-step-N` and the final model)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import openai
import pytest

from tests.conftest import Advance, resolve

Upload = Callable[..., Awaitable[str]]
OTHER_PROJECT = {"OpenAI-Project": "proj_other"}


@pytest.fixture
def job_in(http: httpx.AsyncClient, upload: Upload) -> Callable[[str], Awaitable[str]]:
    """Create a job and force it to a status; returns its id."""

    async def job_in(status: str) -> str:
        body = {"model": "gpt-4o-mini-2024-07-18", "training_file": await upload()}
        job_id: str = (await http.post("/v1/fine_tuning/jobs", json=body)).json()["id"]
        forced = await http.post(f"/_mock/fine_tuning/jobs/{job_id}/transition", json={"status": status})
        assert forced.status_code == 200, forced.text
        return job_id

    return job_in


async def _checkpoints(sdk: Any, job_id: str) -> list[str]:
    page = await resolve(sdk.fine_tuning.jobs.checkpoints.list(job_id))
    return [checkpoint.fine_tuned_model_checkpoint for checkpoint in page.data]


async def test_create_list_and_delete_permissions(sdk: Any, job_in: Callable[[str], Awaitable[str]]) -> None:
    final, intermediate, *_ = await _checkpoints(sdk, await job_in("succeeded"))
    assert intermediate.startswith("ft:") and ":ckpt-step-" in intermediate and ":ckpt-step-" not in final
    permissions = sdk.fine_tuning.checkpoints.permissions
    created = await resolve(permissions.create(intermediate, project_ids=["proj_a", "proj_b"]))
    assert [(p.object, p.project_id) for p in created.data] == [("checkpoint.permission", "proj_a")] + [
        ("checkpoint.permission", "proj_b")
    ]
    assert all(p.id.startswith("cp_") for p in created.data)
    a, b = (p.id for p in created.data)
    assert [p.id for p in (await resolve(permissions.list(intermediate))).data] == [b, a]  # newest first
    assert [p.id for p in (await resolve(permissions.list(intermediate, order="ascending"))).data] == [a, b]
    assert [p.id for p in (await resolve(permissions.list(intermediate, project_id="proj_b"))).data] == [b]
    first = await resolve(permissions.list(intermediate, limit=1))
    assert [p.id for p in first.data] == [b] and first.has_more and first.last_id == b
    assert [p.id for p in (await resolve(permissions.list(intermediate, after=b))).data] == [a]
    again = await resolve(permissions.create(intermediate, project_ids=["proj_a"]))
    assert [p.id for p in again.data] == [a]  # a project has one permission per checkpoint
    deleted = await resolve(permissions.delete(a, fine_tuned_model_checkpoint=intermediate))
    assert (deleted.id, deleted.deleted, deleted.object) == (a, True, "checkpoint.permission")
    assert [p.id for p in (await resolve(permissions.list(intermediate))).data] == [b]
    assert (await resolve(permissions.list(final))).data == []  # per checkpoint
    with pytest.raises(openai.NotFoundError) as caught:
        await resolve(permissions.delete(a, fine_tuned_model_checkpoint=intermediate))
    assert caught.value.param == "permission_id"


async def test_only_checkpoints_of_the_callers_succeeded_jobs(
    sdk: Any, http: httpx.AsyncClient, job_in: Callable[[str], Awaitable[str]], advance: Advance
) -> None:
    stopped = await job_in("running")
    while not await _checkpoints(sdk, stopped):  # train until an epoch leaves a checkpoint, then cancel
        await advance(0.5)
    await resolve(sdk.fine_tuning.jobs.cancel(stopped))
    cancelled = await _checkpoints(sdk, stopped)
    succeeded = (await _checkpoints(sdk, await job_in("succeeded")))[0]
    permissions = sdk.fine_tuning.checkpoints.permissions
    for checkpoint, headers in [
        *((name, {}) for name in cancelled),
        ("ft:gpt-4o-mini-2024-07-18:org::nope", {}),
        (succeeded, OTHER_PROJECT),
    ]:
        with pytest.raises(openai.NotFoundError) as caught:
            await resolve(permissions.create(checkpoint, project_ids=["proj_a"], extra_headers=headers))
        assert caught.value.param == "fine_tuned_model_checkpoint"
    for body, param in [({"project_ids": []}, "project_ids"), ({"project_ids": "proj_a"}, "project_ids"),
                        ({"project_ids": [""]}, "project_ids[0]"), ({}, "project_ids")]:  # fmt: skip
        response = await http.post(f"/v1/fine_tuning/checkpoints/{succeeded}/permissions", json=body)
        assert response.status_code == 400 and response.json()["error"]["param"] == param, response.text
    listed = await http.get(f"/v1/fine_tuning/checkpoints/{succeeded}/permissions?order=asc")
    assert listed.status_code == 400 and listed.json()["error"]["param"] == "order"
