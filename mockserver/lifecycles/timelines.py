"""Each object's transitions, as the inspector shows them: a `Runtime` listener keeping a bounded history per
object, forgotten on reset."""

from __future__ import annotations

from mockserver.lifecycles.runtime import Transition

# Enough for any legal path (the longest is under ten steps) plus pauses and resumes; an object paused and resumed
# forever keeps only its latest steps.
KEPT_PER_OBJECT = 50


class Timelines:
    def __init__(self, kept: int = KEPT_PER_OBJECT) -> None:
        self._kept = kept
        # Lists of the transitions themselves (already made for the listeners): no copy per step, and a list costs
        # less than a bounded deque per object, which matters with 100 000 idle jobs.
        self._by_id: dict[str, list[Transition]] = {}

    def on_transition(self, transition: Transition) -> None:
        steps = self._by_id.setdefault(transition.id, [])
        steps.append(transition)
        if len(steps) > self._kept:
            del steps[0]

    def of(self, object_id: str) -> list[Transition]:
        """The object's transitions, oldest first (empty when it never changed status)."""
        return self._by_id.get(object_id, [])

    def clear(self) -> None:
        self._by_id.clear()
