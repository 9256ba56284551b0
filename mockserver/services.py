"""Everything one app instance owns, built once per `create_app()`: no state lives at module level."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

import httpx

from mockserver.answers import AnswerCache
from mockserver.clock import Clock, ManualClock, SystemClock
from mockserver.fakes import FakeData
from mockserver.faults import Faults
from mockserver.files import Files
from mockserver.fixtures import LoadedFixtures, apply_fixtures, read_fixtures
from mockserver.ids import IdFactory
from mockserver.journal import Journal
from mockserver.kinds import KINDS, kind_of
from mockserver.lifecycles.base import Lifecycle
from mockserver.lifecycles.runtime import Runtime
from mockserver.lifecycles.timelines import Timelines
from mockserver.polling import Endings
from mockserver.scheduler import Scheduler
from mockserver.settings import Settings
from mockserver.shutdown import Shutdown
from mockserver.store import Store
from mockserver.webhooks.dispatcher import Dispatcher
from mockserver.webhooks.endpoints import Endpoints
from mockserver.webhooks.events import EventLog
from mockserver.webhooks.transitions import TransitionEvents

L = TypeVar("L", bound=Lifecycle[Any, Any])


def _lifecycles(runtime: Runtime, files: Files) -> dict[str, Lifecycle[Any, Any]]:
    """A fresh lifecycle of every registered kind, by kind name."""
    return {kind.name: kind.lifecycle(kind, runtime, files) for kind in KINDS}


def _runtime(settings: Settings, clock: Clock, answers: AnswerCache) -> Runtime:
    """What the lifecycles share: the clock and its timer heap, seeded ids and fake data, the store."""
    return Runtime(
        clock=clock,
        # Every simulated change happens in a timer: the cached answers are emptied before each fires.
        scheduler=Scheduler(clock, on_fire=answers.clear),
        ids=IdFactory(settings.seed),
        fakes=FakeData(settings.seed),
        store=Store(),
        phases=settings.phases,
        default_scenario=settings.default_scenario,
    )


def _webhooks(
    settings: Settings,
    runtime: Runtime,
    transport: httpx.AsyncBaseTransport | None,
    wall_clock: Callable[[], float] | None,
) -> tuple[EventLog, Endpoints, Dispatcher]:
    """Transitions become events, and events become deliveries to the endpoints that take them."""
    events = EventLog(runtime.ids)
    runtime.listeners.append(events.on_transition)
    endpoints = Endpoints(settings, runtime.ids, runtime.clock)
    dispatcher = Dispatcher(
        settings=settings,
        clock=runtime.clock,
        scheduler=runtime.scheduler,
        endpoints=endpoints,
        transport=transport,
        **({"wall_clock": wall_clock} if wall_clock is not None else {}),
    )
    events.listeners.append(dispatcher.on_event)
    runtime.listeners.append(TransitionEvents(events, endpoints).on_transition)
    return events, endpoints, dispatcher


@dataclass
class Services:
    settings: Settings
    clock: Clock
    scheduler: Scheduler
    ids: IdFactory
    fakes: FakeData
    store: Store
    runtime: Runtime
    files: Files
    # Every kind's lifecycle, by kind name; rebuilt on reset, so that nothing one kept can survive it.
    lifecycles: dict[str, Lifecycle[Any, Any]]
    events: EventLog
    endpoints: Endpoints
    dispatcher: Dispatcher
    journal: Journal
    endings: Endings  # when objects ended, for the polling report
    faults: Faults
    shutdown: Shutdown
    # Every object's transitions (the inspector's timelines), recorded as they happen.
    timelines: Timelines
    # What the OpenAI surface answered, kept between two changes (`mockserver.answers`).
    answers: AnswerCache
    fixtures: LoadedFixtures | None = None
    # Unexpected exceptions the app turned into 500s; `MockServer.check()` raises them in the test.
    errors: list[BaseException] = field(default_factory=list)
    # `lifecycle()`'s answers, by class; emptied when the lifecycles are rebuilt.
    _by_class: dict[type[Any], Lifecycle[Any, Any]] = field(default_factory=dict, repr=False)

    @classmethod
    def build(
        cls,
        settings: Settings,
        clock: Clock | None = None,
        *,
        webhook_transport: httpx.AsyncBaseTransport | None = None,
        wall_clock: Callable[[], float] | None = None,
    ) -> Services:
        answers = AnswerCache()
        runtime = _runtime(settings, clock or (ManualClock() if settings.clock == "manual" else SystemClock()), answers)
        files = Files(runtime.store, runtime.ids)
        events, endpoints, dispatcher = _webhooks(settings, runtime, webhook_transport, wall_clock)
        timelines = Timelines()
        runtime.listeners.append(timelines.on_transition)
        journal = Journal(settings.journal_size)
        endings = Endings(journal)
        runtime.listeners.append(endings.on_transition)
        return cls(
            settings=settings,
            clock=runtime.clock,
            scheduler=runtime.scheduler,
            ids=runtime.ids,
            fakes=runtime.fakes,
            store=runtime.store,
            runtime=runtime,
            files=files,
            lifecycles=_lifecycles(runtime, files),
            events=events,
            endpoints=endpoints,
            dispatcher=dispatcher,
            journal=journal,
            endings=endings,
            faults=Faults(settings.seed),
            shutdown=Shutdown(settings.shutdown_timeout),
            timelines=timelines,
            answers=answers,
            fixtures=read_fixtures(settings.fixtures) if settings.fixtures is not None else None,
        )

    def reset(self) -> None:
        """Forget every object and timer; the manual clock returns to its start and ids start their sequence again."""
        self.dispatcher.reset()
        self.answers.clear()
        self.scheduler.clear()
        self.events.clear()
        self.endpoints.reset()
        self.journal.clear()
        self.timelines.clear()
        self.endings.clear()
        self.faults.clear()
        self.store.clear()
        self.lifecycles = _lifecycles(self.runtime, self.files)
        self._by_class.clear()
        self.ids.reseed()
        if isinstance(self.clock, ManualClock):
            self.clock.reset()

    def lifecycle(self, cls: type[L]) -> L:
        """The lifecycle of that class (what a kind's routes use, on every request: a dict lookup first)."""
        found = self._by_class.get(cls)
        if found is None:
            found = next((lifecycle for lifecycle in self.lifecycles.values() if isinstance(lifecycle, cls)), None)
            if found is None:
                raise LookupError(f"no kind is run by {cls.__name__}")
            self._by_class[cls] = found
        return cast(L, found)

    def lifecycle_of(self, object_id: str) -> Lifecycle[Any, Any] | None:
        """The lifecycle of the kind whose id format `object_id` has."""
        kind = kind_of(object_id)
        return None if kind is None else self.lifecycles[kind.name]

    def load_fixtures(self) -> None:
        if self.fixtures is not None:
            apply_fixtures(
                self.fixtures,
                files=self.files,
                endpoints=self.endpoints,
                lifecycles=self.lifecycles,
                now=self.clock.now(),
            )

    def reset_and_reload(self) -> None:
        """`POST /_mock/reset`: what the command line configured (fixtures included) comes back, without announcing
        the fixtures' outcomes to webhook endpoints again."""
        self.reset()
        with self.dispatcher.muted():
            self.load_fixtures()
