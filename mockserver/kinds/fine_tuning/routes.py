from __future__ import annotations

from collections.abc import Iterator

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mockserver.errors import InvalidRequestError
from mockserver.http import (
    SCENARIO_HEADER,
    answer,
    answer_kept,
    answer_kept_list,
    project,
    read_body,
    read_optional_body,
    services,
)
from mockserver.kinds.fine_tuning.graders import run_grader
from mockserver.kinds.fine_tuning.lifecycle import FineTuningLifecycle
from mockserver.kinds.fine_tuning.permission_schemas import CreateCheckpointPermissions
from mockserver.kinds.fine_tuning.schemas import CreateFineTuningJob, FineTuningJob, JobEvent
from mockserver.pagination import cursor_list, paginate, read_choice, read_limit
from mockserver.schemas.common import CursorListResponse, ListResponse
from mockserver.schemas.graders import GraderValidated, RunGrader, ValidateGrader

# Parametrised once: `ListResponse[FineTuningJob]` looked up again on every list cost a microsecond.
JobList = ListResponse[FineTuningJob]


def jobs(request: Request) -> FineTuningLifecycle:
    return services(request).lifecycle(FineTuningLifecycle)


async def create_job(request: Request) -> Response:
    body = await read_body(request, CreateFineTuningJob)
    job = jobs(request).create(project(request), body, scenario=request.headers.get(SCENARIO_HEADER))
    return answer(job)


def _metadata_filter(request: Request) -> tuple[bool, dict[str, str]]:
    """`metadata[k]=v` pairs to match, or `metadata=null` for jobs without metadata."""
    wanted: dict[str, str] = {}
    only_without = False
    for key, value in request.query_params.multi_items():
        if key == "metadata":
            if value != "null":
                raise InvalidRequestError(
                    "Invalid 'metadata': filter with metadata[key]=value, or metadata=null for jobs without metadata.",
                    param="metadata",
                    code="invalid_value",
                )
            only_without = True
        elif key.startswith("metadata[") and key.endswith("]"):
            wanted[key[len("metadata[") : -1]] = value
    return only_without, wanted


async def list_jobs(request: Request) -> Response:
    query = request.query_params
    limit = read_limit(query, default=20)
    only_without, wanted = _metadata_filter(request)

    def matching() -> Iterator[tuple[str, FineTuningJob]]:
        for job_id, job in listed:
            metadata = job.metadata or {}
            if only_without and metadata:
                continue
            if all(metadata.get(key) == value for key, value in wanted.items()):
                yield job_id, job

    listed = jobs(request).objects.newest_first(project(request))
    page = paginate(matching() if only_without or wanted else listed, after=query.get("after"), limit=limit)
    return answer_kept_list(request, JobList(data=page.data, has_more=page.has_more))


async def retrieve_job(request: Request) -> Response:
    return answer_kept(request, jobs(request).get(project(request), request.path_params["job_id"]))


async def cancel_job(request: Request) -> Response:
    await read_optional_body(request)
    return answer(jobs(request).cancel(project(request), request.path_params["job_id"]))


async def pause_job(request: Request) -> Response:
    await read_optional_body(request)
    return answer(jobs(request).pause(project(request), request.path_params["job_id"]))


async def resume_job(request: Request) -> Response:
    await read_optional_body(request)
    return answer(jobs(request).resume(project(request), request.path_params["job_id"]))


async def list_events(request: Request) -> Response:
    events = jobs(request).events(project(request), request.path_params["job_id"])
    limit = read_limit(request.query_params, default=20)
    page = paginate(
        ((event.id, event) for event in reversed(events)), after=request.query_params.get("after"), limit=limit
    )
    return answer(ListResponse[JobEvent](data=[event.wire() for event in page.data], has_more=page.has_more))


async def list_checkpoints(request: Request) -> Response:
    checkpoints = jobs(request).checkpoints(project(request), request.path_params["job_id"])
    newest_first = ((checkpoint.id, checkpoint) for checkpoint in reversed(checkpoints))
    return answer(cursor_list(newest_first, request.query_params, default_limit=10, max_limit=None))


async def validate_grader(request: Request) -> Response:
    body = await read_body(request, ValidateGrader)
    return answer(GraderValidated(grader=body.grader.model_dump(exclude_none=True)))


async def run_grader_once(request: Request) -> Response:
    body = await read_body(request, RunGrader)
    return answer(run_grader(body, services(request).ids.random))


async def create_permissions(request: Request) -> Response:
    body = await read_body(request, CreateCheckpointPermissions)
    permissions = jobs(request).permissions.create(
        project(request), request.path_params["checkpoint"], body.project_ids
    )
    first_id, last_id = (permissions[0].id, permissions[-1].id) if permissions else (None, None)
    return answer(CursorListResponse(data=permissions, has_more=False, first_id=first_id, last_id=last_id))


async def list_permissions(request: Request) -> Response:
    query = request.query_params
    order = read_choice(query, "order", ("ascending", "descending"), default="descending")
    permissions = jobs(request).permissions.in_order(
        project(request),
        request.path_params["checkpoint"],
        newest_first=order == "descending",
        project_id=query.get("project_id"),
    )
    return answer(cursor_list(permissions, query, default_limit=10))


async def delete_permission(request: Request) -> Response:
    params = request.path_params
    deleted = jobs(request).permissions.delete(project(request), params["checkpoint"], params["permission_id"])
    return answer(deleted)


routes: list[Route] = [
    Route("/fine_tuning/jobs", create_job, methods=["POST"]),
    Route("/fine_tuning/jobs", list_jobs, methods=["GET"]),
    Route("/fine_tuning/jobs/{job_id}", retrieve_job, methods=["GET"]),
    Route("/fine_tuning/jobs/{job_id}/cancel", cancel_job, methods=["POST"]),
    Route("/fine_tuning/jobs/{job_id}/pause", pause_job, methods=["POST"]),
    Route("/fine_tuning/jobs/{job_id}/resume", resume_job, methods=["POST"]),
    Route("/fine_tuning/jobs/{job_id}/events", list_events, methods=["GET"]),
    Route("/fine_tuning/jobs/{job_id}/checkpoints", list_checkpoints, methods=["GET"]),
    Route("/fine_tuning/alpha/graders/run", run_grader_once, methods=["POST"]),
    Route("/fine_tuning/alpha/graders/validate", validate_grader, methods=["POST"]),
    Route("/fine_tuning/checkpoints/{checkpoint}/permissions", create_permissions, methods=["POST"]),
    Route("/fine_tuning/checkpoints/{checkpoint}/permissions", list_permissions, methods=["GET"]),
    Route("/fine_tuning/checkpoints/{checkpoint}/permissions/{permission_id}", delete_permission, methods=["DELETE"]),
]
