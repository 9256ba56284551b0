"""A table-driven state machine: which state may follow which, what a user may ask for, and the legal path
between two states."""

from __future__ import annotations

import functools
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class UserAction:
    """What a user may ask of an object (`cancel`, `pause`, `resume`): the status it leads to, from which ones."""

    target: str
    participle: str  # as the refusal names it: "Only … jobs that are queued or running can be paused."
    sources: tuple[str, ...]


@dataclass(frozen=True)
class StateMachine:
    edges: Mapping[str, tuple[str, ...]]
    terminal: frozenset[str]
    # States a path may end in or start from but never pass through (a pause is not a way forward).
    no_detour: frozenset[str] = frozenset()
    actions: Mapping[str, UserAction] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # A user action is one of the machine's edges, never a way around them.
        for name, action in self.actions.items():
            for source in action.sources:
                if not self.can(source, action.target):
                    raise ValueError(f"action {name!r}: {source} -> {action.target} is not an edge of the machine")

    @functools.cached_property
    def states(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys([*self.edges, *(s for targets in self.edges.values() for s in targets)]))

    def is_terminal(self, state: str) -> bool:
        return state in self.terminal

    def can(self, source: str, target: str) -> bool:
        return target in self.edges.get(source, ())

    def path(self, source: str, target: str) -> list[str] | None:
        """The shortest legal path from `source` to `target`, excluding `source`; None when there is none."""
        if source == target:
            return None
        previous: dict[str, str] = {}
        queue = deque([source])
        while queue:
            state = queue.popleft()
            for following in self.edges.get(state, ()):
                if following in previous or following == source:
                    continue
                previous[following] = state
                if following == target:
                    steps = [target]
                    while steps[-1] != source and previous[steps[-1]] != source:
                        steps.append(previous[steps[-1]])
                    return steps[::-1]
                if following not in self.no_detour:
                    queue.append(following)
        return None
