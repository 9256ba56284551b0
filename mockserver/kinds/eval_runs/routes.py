from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

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
from mockserver.kinds.eval_runs.lifecycle import EvalRunLifecycle
from mockserver.kinds.eval_runs.schemas import CreateEval, CreateEvalRun, UpdateEval
from mockserver.pagination import cursor_list, read_choice, read_order


def runs(request: Request) -> EvalRunLifecycle:
    return services(request).lifecycle(EvalRunLifecycle)


RUN_STATUSES = ("queued", "in_progress", "completed", "canceled", "failed")


async def create_eval(request: Request) -> Response:
    body = await read_body(request, CreateEval)
    return answer(runs(request).create_eval(project(request), body))


async def list_evals(request: Request) -> Response:
    query = request.query_params
    order = read_order(query, default="asc")
    order_by = read_choice(query, "order_by", ("created_at", "updated_at"), default="created_at")
    evals = runs(request).list_evals(project(request), order=order, order_by=str(order_by))
    return answer_kept_list(request, cursor_list(evals, query))


async def retrieve_eval(request: Request) -> Response:
    return answer_kept(request, runs(request).get_eval(project(request), request.path_params["eval_id"]))


async def update_eval(request: Request) -> Response:
    body = await read_body(request, UpdateEval)
    return answer(runs(request).update_eval(project(request), request.path_params["eval_id"], body))


async def delete_eval(request: Request) -> Response:
    return answer(runs(request).delete_eval(project(request), request.path_params["eval_id"]))


async def create_run(request: Request) -> Response:
    body = await read_body(request, CreateEvalRun)
    run = runs(request).create(
        project(request), request.path_params["eval_id"], body, scenario=request.headers.get(SCENARIO_HEADER)
    )
    return answer(run)


async def list_runs(request: Request) -> Response:
    query, lifecycle = request.query_params, runs(request)
    evaluation = lifecycle.get_eval(project(request), request.path_params["eval_id"])
    order, status = read_order(query, default="asc"), read_choice(query, "status", RUN_STATUSES)
    listed = lifecycle.objects.oldest_first if order == "asc" else lifecycle.objects.newest_first
    matching = (
        (run_id, run)
        for run_id, run in listed(project(request))
        if run.eval_id == evaluation.id and (status is None or run.status == status)
    )
    return answer_kept_list(request, cursor_list(matching, query))


async def retrieve_run(request: Request) -> Response:
    params = request.path_params
    return answer_kept(request, runs(request).get_run(project(request), params["eval_id"], params["run_id"]))


async def cancel_run(request: Request) -> Response:
    await read_optional_body(request)
    params = request.path_params
    return answer(runs(request).cancel(project(request), params["eval_id"], params["run_id"]))


async def delete_run(request: Request) -> Response:
    params = request.path_params
    return answer(runs(request).delete_run(project(request), params["eval_id"], params["run_id"]))


async def list_output_items(request: Request) -> Response:
    params, query = request.path_params, request.query_params
    items = runs(request).output_items(project(request), params["eval_id"], params["run_id"])
    order, status = read_order(query, default="asc"), read_choice(query, "status", ("fail", "pass"))
    ordered = items if order == "asc" else reversed(items)
    matching = ((item.id, item) for item in ordered if status is None or item.status == status)
    return answer_kept_list(request, cursor_list(matching, query))


async def retrieve_output_item(request: Request) -> Response:
    params = request.path_params
    item = runs(request).output_item(project(request), params["eval_id"], params["run_id"], params["output_item_id"])
    return answer_kept(request, item)


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
