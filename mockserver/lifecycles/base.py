"""What every simulated lifecycle shares: its objects, the entry per object, scenarios, timers, user actions and
forced transitions.

A subclass is registered as a `Kind`'s `lifecycle` and implements `not_found()` and `_enter()`: what happens when
an object arrives in a state. Every status change goes through `_move()`, whether a timer fired, the user acted or
the control API forced it: it cancels the pending timer, sets the status, calls `_enter()` and reports the
transition (which is where webhook events come from). An app builds its lifecycles afresh on every reset, so
nothing a lifecycle keeps can outlive one.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from mockserver.errors import APIError, InvalidRequestError
from mockserver.lifecycles.runtime import Runtime, Transition, parse_scenario
from mockserver.scheduler import Timer
from mockserver.store import Collection

if TYPE_CHECKING:
    from mockserver.files import Files
    from mockserver.kinds.kind import Kind
    from mockserver.schemas.control import ForceTransition


class HasStatus(Protocol):
    id: str
    status: Any


T = TypeVar("T", bound=HasStatus)


@dataclass
class Entry(Generic[T]):
    """An object and what the lifecycle tracks beside it (subclasses add their own fields)."""

    obj: T
    project: str
    scenario: str
    timer: Timer | None = None


E = TypeVar("E", bound=Entry[Any])


def _states(states: tuple[str, ...]) -> str:
    return ", ".join(states[:-1]) + (" or " if len(states) > 1 else "") + states[-1]


class Lifecycle(ABC, Generic[T, E]):
    def __init__(self, kind: Kind, runtime: Runtime, files: Files) -> None:
        self.kind = kind
        self._rt = runtime
        self._files = files
        # The wire objects by project (what the API shows), and what the lifecycle tracks beside each, by id.
        self.objects: Collection[T] = Collection()
        self._entries: dict[str, E] = {}

    @abstractmethod
    def not_found(self, object_id: str) -> APIError:
        """The real API's error for an unknown id."""

    @abstractmethod
    def _enter(self, entry: E, source: str, target: str, at: float, details: dict[str, Any]) -> None:
        """What arriving in `target` does: stamps, events, files, the next timer."""

    # -- shared behaviour --------------------------------------------------------------------------------------------

    def get(self, project: str, object_id: str) -> T:
        found = self.objects.get(project, object_id)
        if found is None:
            raise self.not_found(object_id)
        return found

    def scenario(self, header: str | None, metadata: dict[str, str] | None) -> str:
        """The outcome chosen at create time: the header, else metadata `mock_scenario`, else the server default."""
        allowed = self.kind.scenarios
        if header is not None:
            return parse_scenario(header, param="x-mock-scenario", allowed=allowed)
        # A server-wide default that this kind has no use for (`expire` for jobs) leaves objects to succeed.
        default = self._rt.default_scenario if self._rt.default_scenario in allowed else "succeed"
        chosen = (metadata or {}).get("mock_scenario", default)
        return parse_scenario(chosen, param="metadata.mock_scenario", allowed=allowed)

    def _add(self, entry: E) -> None:
        self.objects.add(entry.project, entry.obj.id, entry.obj)
        self._entries[entry.obj.id] = entry

    def _remove(self, project: str, object_id: str) -> None:
        """Delete an object: it is gone from reads and lists, and its pending timer never fires."""
        entry = self._entries.pop(object_id)
        if entry.timer is not None:
            entry.timer.cancel()
        self.objects.remove(project, object_id)

    def act(self, project: str, object_id: str, action: str) -> T:
        """A user's cancel, pause or resume: refused with a 400 naming the status unless the machine allows it."""
        obj = self.get(project, object_id)
        rule = self.kind.machine.actions[action]
        if obj.status not in rule.sources:
            noun = self.kind.noun
            raise InvalidRequestError(
                f"Cannot {action} {noun} {object_id} because its status is '{obj.status}'. "
                f"Only {noun}s that are {_states(rule.sources)} can be {rule.participle}."
            )
        self._move(self._entries[object_id], rule.target, self._rt.now())
        return obj

    def force(self, object_id: str, target: str, **details: Any) -> T:
        """Move an object to `target` through the legal path, as if each step happened now (the control API)."""
        found = self.objects.get_any(object_id)
        if found is None:
            raise self.not_found(object_id)
        entry = self._entries[object_id]
        machine = self.kind.machine
        if target not in machine.states:
            allowed = ", ".join(f"'{s}'" for s in machine.states)
            raise InvalidRequestError(
                f"Invalid value: '{target}'. Supported values are: {allowed}.", param="status", code="invalid_value"
            )
        path = machine.path(entry.obj.status, target)
        if path is None:
            raise InvalidRequestError(
                f"Cannot move {self.kind.noun} {object_id} from '{entry.obj.status}' to '{target}': no legal path.",
                param="status",
                code="invalid_transition",
            )
        at = self._rt.now()
        for step in path:
            self._move(entry, step, at, **(details if step == target else {}))
        return found[1]

    def seed(self, project: str, fields: dict[str, Any], *, object_id: str | None, scenario: str | None) -> T:
        """Create an object from a fixtures entry (its create request in `fields`) as the API would, with the id
        the entry chose. A kind whose lifecycle implements this can be seeded."""
        raise NotImplementedError(f"{self.kind.noun}s cannot be seeded")

    def create_for_trigger(self, project: str) -> T:
        """Create a plausible object as the API would, to be driven to the state that announces an event type."""
        raise NotImplementedError(f"{self.kind.noun}s cannot be created for a trigger")

    def force_at(self, path_params: Mapping[str, str], body: ForceTransition) -> T:
        """The control route's forced transition; a kind whose route names a parent too (an eval's run) checks it."""
        return self.force(path_params["id"], body.status, **body.details())

    def _schedule(self, entry: E, due: float, then: Callable[[E, float], None]) -> None:
        """Call `then` at `due`, unless the object changed status (or the server was reset) before."""
        object_id = entry.obj.id

        def fire(at: float) -> None:
            current = self._entries.get(object_id)
            if current is not None:
                current.timer = None
                then(current, at)

        entry.timer = self._rt.scheduler.schedule(due, fire)

    def _after_phase(self, entry: E, phase: str, start: float, then: Callable[[E, float], None]) -> None:
        self._schedule(entry, start + self._rt.phases[phase], then)

    def _move(self, entry: E, target: str, at: float, **details: Any) -> None:
        source = entry.obj.status
        if entry.timer is not None:
            entry.timer.cancel()
            entry.timer = None
        entry.obj.status = target
        self._enter(entry, source, target, at, details)
        self._rt.record(Transition(self.kind.object, entry.obj.id, entry.project, source, target, at))
