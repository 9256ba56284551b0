from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mockserver.pagination import cursor_list, read_choice, read_limit, read_order
from mockserver.routes._helpers import SCENARIO_HEADER, answer, project, read_body, read_optional_body, services
from mockserver.schemas.common import CursorListResponse
from mockserver.schemas.eval_output_items import OutputItem
from mockserver.schemas.evals import CreateEval, CreateEvalRun, Eval, EvalRun, UpdateEval

RUN_STATUSES = ("queued", "in_progress", "completed", "canceled", "failed")


async def create_eval(request: Request) -> Response:
    body = await read_body(request, CreateEval)
    return answer(services(request).eval_runs.create_eval(project(request), body))


async def list_evals(request: Request) -> Response:
    query = request.query_params
    limit = read_limit(query, default=20, maximum=100)
    order = read_order(query, default="asc")
    order_by = read_choice(query, "order_by", ("created_at", "updated_at"), default="created_at")
    evals = services(request).eval_runs.list_evals(project(request), order=order, order_by=str(order_by))
    return answer(cursor_list(CursorListResponse[Eval], evals, after=query.get("after"), limit=limit))


async def retrieve_eval(request: Request) -> Response:
    return answer(services(request).eval_runs.get_eval(project(request), request.path_params["eval_id"]))


async def update_eval(request: Request) -> Response:
    body = await read_body(request, UpdateEval)
    return answer(services(request).eval_runs.update_eval(project(request), request.path_params["eval_id"], body))


async def delete_eval(request: Request) -> Response:
    return answer(services(request).eval_runs.delete_eval(project(request), request.path_params["eval_id"]))


async def create_run(request: Request) -> Response:
    body = await read_body(request, CreateEvalRun)
    runs = services(request).eval_runs
    run = runs.create(
        project(request), request.path_params["eval_id"], body, scenario=request.headers.get(SCENARIO_HEADER)
    )
    return answer(run)


async def list_runs(request: Request) -> Response:
    svc, query = services(request), request.query_params
    evaluation = svc.eval_runs.get_eval(project(request), request.path_params["eval_id"])
    limit = read_limit(query, default=20, maximum=100)
    order, status = read_order(query, default="asc"), read_choice(query, "status", RUN_STATUSES)
    store = svc.store.eval_runs
    runs = store.oldest_first(project(request)) if order == "asc" else store.newest_first(project(request))
    matching = (
        (run_id, run)
        for run_id, run in runs
        if run.eval_id == evaluation.id and (status is None or run.status == status)
    )
    return answer(cursor_list(CursorListResponse[EvalRun], matching, after=query.get("after"), limit=limit))


async def retrieve_run(request: Request) -> Response:
    params = request.path_params
    return answer(services(request).eval_runs.get_run(project(request), params["eval_id"], params["run_id"]))


async def cancel_run(request: Request) -> Response:
    await read_optional_body(request)
    params = request.path_params
    return answer(services(request).eval_runs.cancel(project(request), params["eval_id"], params["run_id"]))


async def delete_run(request: Request) -> Response:
    params = request.path_params
    return answer(services(request).eval_runs.delete_run(project(request), params["eval_id"], params["run_id"]))


async def list_output_items(request: Request) -> Response:
    params, query = request.path_params, request.query_params
    items = services(request).eval_runs.output_items(project(request), params["eval_id"], params["run_id"])
    limit = read_limit(query, default=20, maximum=100)
    order, status = read_order(query, default="asc"), read_choice(query, "status", ("fail", "pass"))
    ordered = items if order == "asc" else reversed(items)
    matching = ((item.id, item) for item in ordered if status is None or item.status == status)
    return answer(cursor_list(CursorListResponse[OutputItem], matching, after=query.get("after"), limit=limit))


async def retrieve_output_item(request: Request) -> Response:
    params = request.path_params
    item = services(request).eval_runs.output_item(
        project(request), params["eval_id"], params["run_id"], params["output_item_id"]
    )
    return answer(item)


routes: list[Route] = [
    Route("/evals", create_eval, methods=["POST"]),
    Route("/evals", list_evals, methods=["GET"]),
    Route("/evals/{eval_id}", retrieve_eval, methods=["GET"]),
    Route("/evals/{eval_id}", update_eval, methods=["POST"]),
    Route("/evals/{eval_id}", delete_eval, methods=["DELETE"]),
    Route("/evals/{eval_id}/runs", create_run, methods=["POST"]),
    Route("/evals/{eval_id}/runs", list_runs, methods=["GET"]),
    Route("/evals/{eval_id}/runs/{run_id}", retrieve_run, methods=["GET"]),
    # The SDK's `runs.cancel()` posts to the run itself; the spec's example posts to .../cancel. Both work.
    Route("/evals/{eval_id}/runs/{run_id}", cancel_run, methods=["POST"]),
    Route("/evals/{eval_id}/runs/{run_id}", delete_run, methods=["DELETE"]),
    Route("/evals/{eval_id}/runs/{run_id}/cancel", cancel_run, methods=["POST"]),
    Route("/evals/{eval_id}/runs/{run_id}/output_items", list_output_items, methods=["GET"]),
    Route("/evals/{eval_id}/runs/{run_id}/output_items/{output_item_id}", retrieve_output_item, methods=["GET"]),
]
