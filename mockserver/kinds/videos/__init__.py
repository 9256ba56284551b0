"""Videos: `queued` → `in_progress` (with `progress`) → `completed` | `failed`; no cancel (delete)."""

from __future__ import annotations

from mockserver.kinds.kind import Kind
from mockserver.kinds.videos.lifecycle import MACHINE, VideoLifecycle
from mockserver.kinds.videos.routes import routes
from mockserver.kinds.videos.schemas import ForceVideoTransition

KIND = Kind(
    name="videos",
    object="video",
    noun="video",
    id_prefix="video_",
    id_alphabet="hex",
    id_length=32,
    machine=MACHINE,
    scenarios=("succeed", "fail", "stall"),
    # About 12 simulated seconds; `progress` rises in ten steps across `video.in_progress`.
    phases={"video.queued": 2.0, "video.in_progress": 10.0},
    events={"completed": "video.completed", "failed": "video.failed"},
    routes=routes,
    transition_route="/videos/{id}/transition",
    transition_body=ForceVideoTransition,
    lifecycle=VideoLifecycle,
)
