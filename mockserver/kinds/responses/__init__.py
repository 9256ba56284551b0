"""Background responses: `queued` → `in_progress` → `completed` | `failed` | `incomplete`; `cancelled`."""

from __future__ import annotations

from mockserver.kinds.kind import Kind
from mockserver.kinds.responses.lifecycle import MACHINE, ResponseLifecycle
from mockserver.kinds.responses.routes import routes
from mockserver.kinds.responses.schemas import ForceResponseTransition

KIND = Kind(
    name="responses",
    object="response",
    noun="response",
    id_prefix="resp_",
    id_alphabet="hex",
    id_length=48,
    machine=MACHINE,
    scenarios=("succeed", "fail", "incomplete", "stall"),
    # About 10 simulated seconds; the 2h and 8h completion windows stretch the queue (`QUEUE_STRETCH`).
    phases={"response.queued": 2.0, "response.in_progress": 8.0},
    events={
        "completed": "response.completed",
        "failed": "response.failed",
        "incomplete": "response.incomplete",
        "cancelled": "response.cancelled",
    },
    routes=routes,
    transition_route="/responses/{id}/transition",
    transition_body=ForceResponseTransition,
    lifecycle=ResponseLifecycle,
)
