"""Eval runs (and the evals they belong to): `queued` → `in_progress` → `completed` | `failed`; `canceled`."""

from __future__ import annotations

from mockserver.kinds.eval_runs.lifecycle import MACHINE, EvalRunLifecycle
from mockserver.kinds.eval_runs.routes import routes
from mockserver.kinds.eval_runs.schemas import ForceRunTransition
from mockserver.kinds.kind import Kind

KIND = Kind(
    name="eval_runs",
    object="eval.run",
    noun="eval run",
    id_prefix="evalrun_",
    id_alphabet="hex",
    id_length=32,
    machine=MACHINE,
    scenarios=("succeed", "fail", "fail_validation", "stall"),
    phases={"eval_run.queued": 2.0, "eval_run.in_progress": 8.0},
    # A run that completes is announced as succeeded; cancelled is spelt with one l, as OpenAI spells it here.
    events={"completed": "eval.run.succeeded", "failed": "eval.run.failed", "canceled": "eval.run.canceled"},
    routes=routes,
    transition_route="/evals/{eval_id}/runs/{id}/transition",
    transition_body=ForceRunTransition,
    lifecycle=EvalRunLifecycle,
)
