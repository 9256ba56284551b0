"""What every lifecycle shares: the clock, the timer heap, ids, phase durations and the transition listeners."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import NamedTuple

from mockserver.clock import Clock
from mockserver.errors import InvalidRequestError
from mockserver.fakes import FakeData
from mockserver.ids import IdFactory
from mockserver.scheduler import Scheduler
from mockserver.store import Store

logger = logging.getLogger(__name__)


class Transition(NamedTuple):
    """One state change, as `clock/advance` reports it and as webhooks are derived from it (made on every change, so
    a tuple rather than a frozen dataclass, whose construction costs several times more)."""

    object: str
    id: str
    project: str
    source: str
    target: str
    at: float


TransitionListener = Callable[[Transition], None]


class Runtime:
    def __init__(
        self,
        *,
        clock: Clock,
        scheduler: Scheduler,
        ids: IdFactory,
        fakes: FakeData,
        store: Store,
        phases: dict[str, float],
        default_scenario: str = "succeed",
    ) -> None:
        self.clock = clock
        self.scheduler = scheduler
        self.ids = ids
        self.fakes = fakes
        self.store = store
        self.phases = phases
        self.default_scenario = default_scenario
        self.listeners: list[TransitionListener] = []
        self._captures: list[list[Transition]] = []

    def now(self) -> float:
        return self.clock.now()

    def record(self, transition: Transition) -> None:
        logger.info(
            "%s %s: %s -> %s at %d", transition.object, transition.id, transition.source, transition.target,
            transition.at,
        )  # fmt: skip
        for capture in self._captures:
            capture.append(transition)
        for listener in self.listeners:
            listener(transition)

    @contextmanager
    def capture(self) -> Iterator[list[Transition]]:
        """Collect the transitions made inside the block (what a `clock/advance` answers with)."""
        seen: list[Transition] = []
        self._captures.append(seen)
        try:
            yield seen
        finally:
            self._captures.remove(seen)


def parse_scenario(value: str, *, param: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        supported = ", ".join(f"'{name}'" for name in allowed)
        raise InvalidRequestError(
            f"Invalid value: '{value}'. Supported mock scenarios are: {supported}.", param=param, code="invalid_value"
        )
    return value
