"""Batches: `validating` → `in_progress` → `finalizing` → `completed` | `failed` | `expired`; cancel."""

from __future__ import annotations

from mockserver.kinds.batches.lifecycle import MACHINE, BatchLifecycle
from mockserver.kinds.batches.routes import routes
from mockserver.kinds.batches.schemas import ForceBatchTransition
from mockserver.kinds.kind import Kind

KIND = Kind(
    name="batches",
    object="batch",
    noun="batch",
    id_prefix="batch_",
    id_alphabet="hex",
    id_length=32,
    machine=MACHINE,
    scenarios=("succeed", "fail", "fail_validation", "stall", "expire"),
    # About 15 simulated seconds; a cancel takes the `batch.cancelling` phase to be done.
    phases={"batch.validating": 2.0, "batch.in_progress": 10.0, "batch.finalizing": 3.0, "batch.cancelling": 3.0},
    events={
        "completed": "batch.completed",
        "failed": "batch.failed",
        "expired": "batch.expired",
        "cancelled": "batch.cancelled",
    },
    routes=routes,
    transition_route="/batches/{id}/transition",
    transition_body=ForceBatchTransition,
    lifecycle=BatchLifecycle,
)
