"""Fine-tuning jobs: `validating_files` → `queued` → `running` → `succeeded` | `failed`; cancel, pause, resume."""

from __future__ import annotations

from mockserver.kinds.fine_tuning.lifecycle import MACHINE, FineTuningLifecycle
from mockserver.kinds.fine_tuning.routes import routes
from mockserver.kinds.fine_tuning.schemas import ForceJobTransition
from mockserver.kinds.kind import Kind

KIND = Kind(
    name="fine_tuning_jobs",
    object="fine_tuning.job",
    noun="fine-tuning job",
    id_prefix="ftjob-",
    id_alphabet="alnum",
    id_length=24,
    machine=MACHINE,
    scenarios=("succeed", "fail", "fail_validation", "stall"),
    # A whole job takes about 15 simulated seconds.
    phases={"fine_tuning.validating_files": 3.0, "fine_tuning.queued": 2.0, "fine_tuning.running": 10.0},
    events={
        "succeeded": "fine_tuning.job.succeeded",
        "failed": "fine_tuning.job.failed",
        "cancelled": "fine_tuning.job.cancelled",
    },
    routes=routes,
    transition_route="/fine_tuning/jobs/{id}/transition",
    transition_body=ForceJobTransition,
    lifecycle=FineTuningLifecycle,
)
