"""The kinds of long-running object the mock simulates: the one list that everything listing kinds derives from
(`Services`, reset, phases and their defaults, scenarios, the event types announced, forced transitions in the
control API and the test helpers, the OpenAI routes). A new kind is a package beside these and one line here."""

from __future__ import annotations

from mockserver.kinds import batches, eval_runs, fine_tuning, responses, videos
from mockserver.kinds.kind import Kind

KINDS: tuple[Kind, ...] = (fine_tuning.KIND, batches.KIND, eval_runs.KIND, responses.KIND, videos.KIND)


# Each kind by the `object` its wire objects have (what a transition names).
BY_OBJECT: dict[str, Kind] = {kind.object: kind for kind in KINDS}


def kind_of(object_id: str) -> Kind | None:
    """The kind whose id format `object_id` has."""
    return next((kind for kind in KINDS if kind.owns(object_id)), None)


# Simulated seconds of every phase by `--phase` name, each kind's own defaults.
DEFAULT_PHASES: dict[str, float] = {name: seconds for kind in KINDS for name, seconds in kind.phases.items()}

# Every outcome a create may choose, in a stable order (`succeed` first: the default).
SCENARIOS: tuple[str, ...] = tuple(dict.fromkeys(scenario for kind in KINDS for scenario in kind.scenarios))

# (object, status) -> the event type announced on arriving there.
ANNOUNCED: dict[tuple[str, str], str] = {
    (kind.object, status): event_type for kind in KINDS for status, event_type in kind.events.items()
}
