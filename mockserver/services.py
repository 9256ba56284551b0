"""Everything one app instance owns, built once per `create_app()`: no state lives at module level."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from mockserver.clock import Clock, ManualClock, SystemClock
from mockserver.fakes import FakeData
from mockserver.faults import Faults
from mockserver.files import Files
from mockserver.ids import IdFactory
from mockserver.journal import Journal
from mockserver.lifecycles.batches import BatchLifecycle
from mockserver.lifecycles.evals import EvalRunLifecycle
from mockserver.lifecycles.fine_tuning import FineTuningLifecycle
from mockserver.lifecycles.runtime import Runtime
from mockserver.scheduler import Scheduler
from mockserver.seed import Seed, apply_seed, read_seed
from mockserver.settings import Settings
from mockserver.shutdown import Shutdown
from mockserver.store import Store
from mockserver.webhooks.dispatcher import Dispatcher
from mockserver.webhooks.endpoints import Endpoints
from mockserver.webhooks.events import EventLog


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
    fine_tuning: FineTuningLifecycle
    batches: BatchLifecycle
    eval_runs: EvalRunLifecycle
    events: EventLog
    endpoints: Endpoints
    dispatcher: Dispatcher
    journal: Journal
    faults: Faults
    shutdown: Shutdown
    seed: Seed | None = None
    # Unexpected exceptions the app turned into 500s; `MockServer.check()` raises them in the test.
    errors: list[BaseException] = field(default_factory=list)

    @classmethod
    def build(
        cls,
        settings: Settings,
        clock: Clock | None = None,
        *,
        webhook_transport: httpx.AsyncBaseTransport | None = None,
        wall_clock: Callable[[], float] | None = None,
    ) -> Services:
        if clock is None:
            clock = ManualClock() if settings.clock == "manual" else SystemClock()
        scheduler = Scheduler(clock)
        ids = IdFactory(settings.seed)
        fakes = FakeData(settings.seed)
        store = Store()
        runtime = Runtime(
            clock=clock,
            scheduler=scheduler,
            ids=ids,
            fakes=fakes,
            store=store,
            phases=settings.phases,
            default_scenario=settings.default_scenario,
        )
        files = Files(store, ids)
        events = EventLog(ids)
        runtime.listeners.append(events.on_transition)
        endpoints = Endpoints(settings, ids)
        dispatcher = Dispatcher(
            settings=settings,
            clock=clock,
            scheduler=scheduler,
            endpoints=endpoints,
            transport=webhook_transport,
            **({"wall_clock": wall_clock} if wall_clock is not None else {}),
        )
        events.listeners.append(dispatcher.on_event)
        return cls(
            settings=settings,
            clock=clock,
            scheduler=scheduler,
            ids=ids,
            fakes=fakes,
            store=store,
            runtime=runtime,
            files=files,
            fine_tuning=FineTuningLifecycle(runtime, files),
            batches=BatchLifecycle(runtime, files),
            eval_runs=EvalRunLifecycle(runtime),
            events=events,
            endpoints=endpoints,
            dispatcher=dispatcher,
            journal=Journal(settings.journal_size),
            faults=Faults(settings.seed),
            shutdown=Shutdown(settings.shutdown_timeout),
            seed=read_seed(settings.fixtures) if settings.fixtures is not None else None,
        )

    def reset(self) -> None:
        """Forget every object and timer; the manual clock returns to its start and ids start their sequence again."""
        self.dispatcher.reset()
        self.scheduler.clear()
        self.events.clear()
        self.endpoints.reset()
        self.journal.clear()
        self.faults.clear()
        self.store.clear()
        self.fine_tuning.clear()
        self.batches.clear()
        self.eval_runs.clear()
        self.ids.reseed()
        if isinstance(self.clock, ManualClock):
            self.clock.reset()

    def load_fixtures(self) -> None:
        if self.seed is not None:
            apply_seed(self, self.seed)

    def reset_and_reload(self) -> None:
        """`POST /_mock/reset`: what the command line configured (fixtures included) comes back, without announcing
        the fixtures' outcomes to webhook endpoints again."""
        self.reset()
        with self.dispatcher.muted():
            self.load_fixtures()
