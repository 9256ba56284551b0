"""What every simulated lifecycle shares: the entry per object, scenarios, timers, user actions, forced transitions.

A subclass names its object, state machine, scenarios and user actions, and implements `_enter()`: what happens
when an object arrives in a state. Every status change goes through `_move()`, whether a timer fired, the user
acted or the control API forced it: it cancels the pending timer, sets the status, calls `_enter()` and reports
the transition (which is where webhook events come from).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from mockserver.errors import APIError, InvalidRequestError
from mockserver.lifecycles.machine import StateMachine
from mockserver.lifecycles.runtime import Runtime, Transition, parse_scenario
from mockserver.scheduler import Timer
from mockserver.store import Collection


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
    OBJECT: ClassVar[str]  # as transitions and events name it: "fine_tuning.job", "batch", "eval.run"
    NOUN: ClassVar[str]  # as messages name it: "fine-tuning job"
    MACHINE: ClassVar[StateMachine]
    SCENARIOS: ClassVar[tuple[str, ...]]
    # action -> (resulting status, its participle, the statuses that allow it)
    USER_ACTIONS: ClassVar[dict[str, tuple[str, str, tuple[str, ...]]]]

    def __init__(self, runtime: Runtime) -> None:
        self._rt = runtime
        self._entries: dict[str, E] = {}

    def clear(self) -> None:
        self._entries.clear()

    @abstractmethod
    def collection(self) -> Collection[T]:
        """Where the wire objects are stored."""

    @abstractmethod
    def not_found(self, object_id: str) -> APIError:
        """The real API's error for an unknown id."""

    @abstractmethod
    def _enter(self, entry: E, source: str, target: str, at: float, details: dict[str, Any]) -> None:
        """What arriving in `target` does: stamps, events, files, the next timer."""

    # -- shared behaviour --------------------------------------------------------------------------------------------

    def get(self, project: str, object_id: str) -> T:
        found = self.collection().get(project, object_id)
        if found is None:
            raise self.not_found(object_id)
        return found

    def scenario(self, header: str | None, metadata: dict[str, str] | None) -> str:
        """The outcome chosen at create time: the header, else metadata `mock_scenario`, else the server default."""
        if header is not None:
            return parse_scenario(header, param="x-mock-scenario", allowed=self.SCENARIOS)
        # A server-wide default that this kind has no use for (`expire` for jobs) leaves objects to succeed.
        default = self._rt.default_scenario if self._rt.default_scenario in self.SCENARIOS else "succeed"
        chosen = (metadata or {}).get("mock_scenario", default)
        return parse_scenario(chosen, param="metadata.mock_scenario", allowed=self.SCENARIOS)

    def _add(self, entry: E) -> None:
        self.collection().add(entry.project, entry.obj.id, entry.obj)
        self._entries[entry.obj.id] = entry

    def _remove(self, project: str, object_id: str) -> None:
        """Delete an object: it is gone from reads and lists, and its pending timer never fires."""
        entry = self._entries.pop(object_id)
        if entry.timer is not None:
            entry.timer.cancel()
        self.collection().remove(project, object_id)

    def act(self, project: str, object_id: str, action: str) -> T:
        """A user's cancel, pause or resume: refused with a 400 naming the status unless the object can take it."""
        obj = self.get(project, object_id)
        target, participle, allowed = self.USER_ACTIONS[action]
        if obj.status not in allowed:
            raise InvalidRequestError(
                f"Cannot {action} {self.NOUN} {object_id} because its status is '{obj.status}'. "
                f"Only {self.NOUN}s that are {_states(allowed)} can be {participle}."
            )
        self._move(self._entries[object_id], target, self._rt.now())
        return obj

    def force(self, object_id: str, target: str, **details: Any) -> T:
        """Move an object to `target` through the legal path, as if each step happened now (the control API)."""
        found = self.collection().get_any(object_id)
        if found is None:
            raise self.not_found(object_id)
        entry = self._entries[object_id]
        if target not in self.MACHINE.states:
            allowed = ", ".join(f"'{s}'" for s in self.MACHINE.states)
            raise InvalidRequestError(
                f"Invalid value: '{target}'. Supported values are: {allowed}.", param="status", code="invalid_value"
            )
        path = self.MACHINE.path(entry.obj.status, target)
        if path is None:
            raise InvalidRequestError(
                f"Cannot move {self.NOUN} {object_id} from '{entry.obj.status}' to '{target}': no legal path.",
                param="status",
                code="invalid_transition",
            )
        at = self._rt.now()
        for step in path:
            self._move(entry, step, at, **(details if step == target else {}))
        return found[1]

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
        self._rt.record(Transition(self.OBJECT, entry.obj.id, entry.project, source, target, at))
