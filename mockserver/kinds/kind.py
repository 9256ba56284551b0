"""`Kind`: one simulated lifecycle, registered once. Everything that lists kinds derives from the registrations in
`mockserver.kinds.KINDS`: the lifecycles an app builds (and rebuilds on reset), phase names and defaults, scenario
names, the event types announced, the forced-transition routes of the control API, the OpenAI routes, and the
kinds a fixtures file can seed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from starlette.routing import Route

from mockserver.ids import IdFactory
from mockserver.lifecycles.base import Lifecycle
from mockserver.lifecycles.machine import StateMachine
from mockserver.schemas.control import ForceTransition


@dataclass(frozen=True)
class Kind:
    """What makes one kind of long-running object.

    Attributes:
        name: the registry's key and the fixtures file's list name, e.g. "fine_tuning_jobs".
        object: what transitions and the control API call it, e.g. "fine_tuning.job".
        noun: what refusals call it, e.g. "fine-tuning job".
        id_prefix, id_alphabet, id_length: the format of its ids, e.g. "ftjob-" and 24 alphanumerics.
        machine: its states, edges and user actions.
        scenarios: the outcomes a create may choose (`x-mock-scenario`, metadata `mock_scenario`).
        phases: the simulated seconds of each timed phase, by `--phase` name ("fine_tuning.running").
        events: the event type announced on arriving in a status; other statuses announce nothing.
        routes: its OpenAI routes, below the `/v1` prefix.
        transition_route: its control route for forced transitions, with `{id}` for the object's id.
        transition_body: the body that route reads (a status and the details of an outcome).
        lifecycle: the class that runs it, built with `(kind, runtime, files)` for each app and on each reset;
            a fixtures file can seed the kind when it implements `seed`.
    """

    name: str
    object: str
    noun: str
    id_prefix: str
    id_alphabet: Literal["alnum", "hex"]
    id_length: int
    machine: StateMachine
    scenarios: tuple[str, ...]
    phases: Mapping[str, float]
    events: Mapping[str, str]
    routes: Sequence[Route]
    transition_route: str
    transition_body: type[ForceTransition]
    lifecycle: type[Lifecycle[Any, Any]]

    @property
    def seedable(self) -> bool:
        """Whether a fixtures file can hold objects of this kind (its lifecycle implements `seed`)."""
        return self.lifecycle.seed is not Lifecycle.seed

    @property
    def triggerable(self) -> bool:
        """Whether `mockserver trigger` can create an object of this kind (its lifecycle implements it)."""
        return self.lifecycle.create_for_trigger is not Lifecycle.create_for_trigger

    def new_id(self, ids: IdFactory) -> str:
        if self.id_alphabet == "hex":
            return ids.hex(self.id_prefix, self.id_length)
        return ids.alnum(self.id_prefix, self.id_length)

    def owns(self, object_id: str) -> bool:
        """Whether the id has this kind's format (a prefix is enough: no kind's prefix begins another's)."""
        return object_id.startswith(self.id_prefix)
