"""Delivering events: one delivery per (event, endpoint), attempts signed at send time, retries on the timer heap.

- The first attempt starts at once in the background (or as soon as one of `webhook_concurrency` tasks is free):
  an API request never waits for a receiver.
- A non-2xx answer, a timeout or a connection error schedules the next attempt on the server clock, after the
  endpoint's `Retry-After` if it sent one, else after the next delay of the retry schedule. A 410 disables the
  endpoint. With the manual clock, `clock/advance` awaits every attempt that falls due (scheduler settlers).
- `webhook-id` is the same for every attempt of one event to one endpoint (resends too); `webhook-timestamp` is the
  wall clock at each attempt, because receivers check it against their own clock.
- An endpoint's chaos (`mockserver.webhooks.chaos`) adds broken attempts before the proper one, a duplicate after
  it, or sends it late; none of that changes whether, or how often, the event is properly delivered.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import logging
import math
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal

import httpx

from mockserver import clock as clocks
from mockserver.clock import Clock
from mockserver.ids import IdFactory, derived_hex
from mockserver.scheduler import Scheduler
from mockserver.schemas.chaos import BrokenKind, ChaosMark
from mockserver.schemas.webhooks import DeliveryAttempt, RecordedEvent, WebhookEndpoint, WebhookEvent
from mockserver.settings import Settings
from mockserver.urls import redact_httpx_logs, redact_url
from mockserver.webhooks.chaos import ChaosDice, broken_request
from mockserver.webhooks.deliveries import AttemptRecord, DeliveryLog, EventDelivery
from mockserver.webhooks.endpoints import Endpoints
from mockserver.webhooks.events import LoggedEvent
from mockserver.webhooks.signing import signed_headers
from mockserver.webhooks.transport import DeliveryTransport

logger = logging.getLogger(__name__)

MAX_RETRY_AFTER = 72 * 3600
_KEPT_RESPONSE_CHARS = 2048
_NO_CHAOS: list[ChaosMark] = []  # shared by every attempt the chaos left alone; never changed


@dataclass(frozen=True)
class _Exchange:
    """One POST to a receiver and what came of it: its answer, or the error that stood in for one."""

    attempted_at: float  # server clock
    sent_at: int  # wall clock: the signed webhook-timestamp
    headers: dict[str, str]
    body: bytes
    response: httpx.Response | None
    error: str | None
    duration_ms: float
    chaos_detail: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.response is not None and 200 <= self.response.status_code < 300


def _payload(event: RecordedEvent) -> bytes:
    """The body every attempt of the event sends (the event without the mock's `project`)."""
    return WebhookEvent.model_validate(event.model_dump(exclude={"project"})).model_dump_json().encode()


def _retry_after(response: httpx.Response, wall_now: float) -> float | None:
    """The receiver's `Retry-After` (seconds or an HTTP date) within [0, 72 h], or None when it is anything else:
    a receiver's header is input like any other, and `nan`, `inf` or `1e999` must not reach the timer heap."""
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = email.utils.parsedate_to_datetime(value).timestamp() - wall_now
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    if not math.isfinite(seconds):
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


class Dispatcher:
    def __init__(
        self,
        *,
        settings: Settings,
        clock: Clock,
        scheduler: Scheduler,
        endpoints: Endpoints,
        transport: httpx.AsyncBaseTransport | None = None,
        wall_clock: Callable[[], float] = clocks.wall_time,
    ) -> None:
        self._settings = settings
        self._clock = clock
        self._scheduler = scheduler
        self._endpoints = endpoints
        self._transport = transport
        self._wall_clock = wall_clock
        # Its own id sequence, so that how often receivers fail never shifts the ids of jobs and files.
        self._ids = IdFactory(None if settings.seed is None else settings.seed + 1)
        self._chaos = ChaosDice(None if settings.seed is None else settings.seed + 2)
        self._held: list[EventDelivery] = []  # reordered: sent once the endpoint's next event has been
        self._client: httpx.AsyncClient | None = None
        self._limit: asyncio.Semaphore | None = None
        self._inflight: set[asyncio.Task[None]] = set()
        # Attempts waiting for one of the `webhook_concurrency` tasks: an event that falls due for thousands of jobs
        # at once (the first advance of the soak) would otherwise make a task each, waiting its turn with its frames
        # and signed headers, and that peak stays behind in the allocator's arenas long after it has passed.
        self._queued: deque[tuple[EventDelivery, int]] = deque()
        self._backlog: list[EventDelivery] = []
        self._generation = 0
        self._muted = False
        self.deliveries: dict[str, EventDelivery] = {}
        self.attempts = DeliveryLog()
        scheduler.add_settler(self.settle)

    # -- starting deliveries -----------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def muted(self) -> Iterator[None]:
        """Events emitted inside are recorded but not delivered: fixtures reloaded by a reset were announced once
        already, at start-up, and sending them again (with new event ids) would look like new outcomes."""
        self._muted = True
        try:
            yield
        finally:
            self._muted = False

    def on_event(self, logged: LoggedEvent) -> None:
        if self._muted:
            return
        endpoints = self._endpoints.matching(logged.type, logged.project)
        if endpoints:
            body = _payload(logged.wire())
            for endpoint in endpoints:
                delivery = self._new_delivery(logged, endpoint.id, body)
                delivery.chaos = self._chaos.plan(endpoint.chaos or self._settings.webhook_chaos)
                self._start(delivery)

    def resend(self, event: RecordedEvent, endpoint_id: str | None = None) -> list[EventDelivery]:
        if endpoint_id is not None:
            targets = [self._endpoints.get(endpoint_id).id]
        else:
            targets = [endpoint.id for endpoint in self._endpoints.matching(event.type, event.project)]
        logged, body = LoggedEvent.of(event), _payload(event)
        deliveries = [self._new_delivery(logged, target, body) for target in targets]
        for delivery in deliveries:
            self._start(delivery)
        return deliveries

    def _new_delivery(self, event: LoggedEvent, endpoint_id: str, body: bytes) -> EventDelivery:
        delivery = EventDelivery(
            id=self._ids.delivery(),
            event=event,
            endpoint_id=endpoint_id,
            # The same for every delivery of one event to one endpoint (resends too), and kept nowhere else.
            webhook_id=derived_hex("wh_", 32, f"{event.id}/{endpoint_id}"),
            body=body,
        )
        self.deliveries[delivery.id] = delivery
        return delivery

    def _start(self, delivery: EventDelivery) -> None:
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # emitted while no loop runs (fixtures loaded at start-up): sent once one does
            self._backlog.append(delivery)
            return
        plan = delivery.chaos
        if plan is not None and plan.reorder:
            self._held.append(delivery)
            # On the real clock nothing may settle and no next event may come: a held delivery goes out by itself.
            generation = self._generation
            at = self._clock.now() + plan.hold
            self._scheduler.schedule(at, lambda at: self._release_late(delivery, generation))
        elif plan is not None and plan.delay > 0:
            generation = self._generation
            at = self._clock.now() + plan.delay
            delivery.timer = self._scheduler.schedule(at, lambda at: self._spawn(delivery, generation))
        else:
            self._spawn(delivery, self._generation)

    async def _release_late(self, delivery: EventDelivery, generation: int) -> None:
        if delivery in self._held:
            self._held.remove(delivery)
            await self._attempt(delivery, generation)

    def _release(self, endpoint_id: str | None = None) -> None:
        """Send the reordered deliveries held for the endpoint (None: every endpoint)."""
        released = [d for d in self._held if endpoint_id is None or d.endpoint_id == endpoint_id]
        self._held = [d for d in self._held if d not in released]
        for delivery in released:
            self._spawn(delivery, self._generation)

    def _spawn(self, delivery: EventDelivery, generation: int) -> None:
        """Attempt the delivery in the background now, or once a task is free."""
        if len(self._inflight) >= self._settings.webhook_concurrency:
            self._queued.append((delivery, generation))
            return
        task = asyncio.ensure_future(self._attempt(delivery, generation))
        self._inflight.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._inflight.discard(task)
        if self._queued:
            self._spawn(*self._queued.popleft())

    def flush_backlog(self) -> None:
        """Send what was emitted before a loop ran (at start-up, once the server's loop is there)."""
        backlog, self._backlog = self._backlog, []
        for delivery in backlog:
            self._start(delivery)

    def _marks(self, delivery: EventDelivery) -> list[ChaosMark]:
        """How the chaos touched a proper first attempt."""
        plan = delivery.chaos
        if plan is None or delivery.attempts != 1:
            return []
        marks: list[ChaosMark] = []
        if plan.reorder:
            marks.append("reordered")
        if plan.delay > 0:
            marks.append("delayed")
        return marks

    async def settle(self) -> None:
        """Wait until no attempt is in flight (the backlog, if any, is sent first)."""
        self.flush_backlog()
        self._release()  # nothing is held back past a settle: a clock advance delivers everything due
        while self._inflight:
            await asyncio.gather(*list(self._inflight), return_exceptions=True)
        # A set keeps the table of its largest size: after a burst of thousands of attempts, it starts small again.
        self._inflight = set()

    # -- one attempt -------------------------------------------------------------------------------------------------

    def _http(self) -> tuple[httpx.AsyncClient, asyncio.Semaphore]:
        # Created on first use, inside the loop that will use them.
        if self._client is None or self._limit is None:
            transport = self._transport or DeliveryTransport(keep_alive=self._settings.webhook_concurrency)
            self._client = httpx.AsyncClient(transport=transport, follow_redirects=False)
            redact_httpx_logs()
            self._limit = asyncio.Semaphore(self._settings.webhook_concurrency)
        return self._client, self._limit

    async def _attempt(self, delivery: EventDelivery, generation: int) -> None:
        delivery.timer = None  # fired (or never set): a finished delivery keeps no timer, nor what its callback holds
        try:
            await self._send(delivery, generation)
        except Exception:  # one broken attempt must not take the others, or a clock advance, down with it
            logger.exception("webhook delivery %s failed unexpectedly", delivery.id)
            delivery.state = "abandoned"

    async def _send(self, delivery: EventDelivery, generation: int) -> None:
        endpoint = self._endpoints.find(delivery.endpoint_id)
        if endpoint is None or not endpoint.enabled:
            delivery.state = "abandoned"
            logger.info(
                "webhook delivery %s abandoned: endpoint %s is gone or disabled", delivery.id, delivery.endpoint_id
            )
            return
        plan = delivery.chaos
        if plan is not None and delivery.attempts == 0:
            for kind in plan.broken:
                await self._chaotic(delivery, endpoint, generation, kind)
        delivery.attempts += 1
        exchange = await self._post(endpoint, delivery)
        if generation != self._generation:
            return  # the server was reset while this attempt was in flight: it belongs to a world that is gone
        next_retry_at = self._follow_up(delivery, endpoint, exchange, generation)
        self._record(delivery, endpoint, exchange, next_retry_at, chaos=self._marks(delivery))
        if delivery.attempts == 1:
            self._release(endpoint.id)  # what was held back now arrives after this event
        if plan is not None and plan.duplicate and exchange.succeeded:
            await self._chaotic(delivery, endpoint, generation, "duplicate")

    async def _chaotic(
        self,
        delivery: EventDelivery,
        endpoint: WebhookEndpoint,
        generation: int,
        kind: BrokenKind | Literal["duplicate"],
    ) -> None:
        """One extra attempt the chaos adds: never retried, and never what counts as the event's delivery."""
        exchange = await self._post(endpoint, delivery, kind)
        if generation != self._generation:
            return
        attempt = self._record(delivery, endpoint, exchange, None, chaos=[kind], number=max(delivery.attempts, 1))
        if kind != "duplicate":
            attempt.succeeded = False  # a broken attempt is never the delivery, even when the receiver took it

    async def _post(
        self, endpoint: WebhookEndpoint, delivery: EventDelivery, chaos: BrokenKind | Literal["duplicate"] | None = None
    ) -> _Exchange:
        """One signed POST of the delivery's body (broken as `chaos` says), within the concurrency limit; what
        came of it."""
        attempted_at = self._clock.now()
        sent_at = int(self._wall_clock())
        secrets = self._endpoints.active_secrets(endpoint, attempted_at)
        body, note = delivery.body, None
        if chaos is None or chaos == "duplicate":
            headers = signed_headers(secrets, delivery.webhook_id, sent_at, body)
        else:
            headers, body, note = broken_request(
                chaos, secrets=secrets, webhook_id=delivery.webhook_id, timestamp=sent_at, body=body,
                rng=self._chaos.rng,
            )  # fmt: skip
        client, limit = self._http()
        response: httpx.Response | None = None
        error: str | None = None
        started = clocks.elapsed()
        async with limit:
            try:
                response = await client.post(
                    endpoint.url, content=body, headers=headers, timeout=self._settings.webhook_timeout
                )
            except httpx.TimeoutException:
                error = f"timed out after {self._settings.webhook_timeout:g} s"
            except (httpx.HTTPError, httpx.InvalidURL) as exc:
                error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        duration_ms = round((clocks.elapsed() - started) * 1000, 3)
        return _Exchange(attempted_at, sent_at, headers, body, response, error, duration_ms, note)

    def _follow_up(
        self, delivery: EventDelivery, endpoint: WebhookEndpoint, exchange: _Exchange, generation: int
    ) -> float | None:
        """What an attempt's outcome leads to: done, the endpoint disabled (410), given up, or the next attempt's
        time on the server clock (returned)."""
        response = exchange.response
        if exchange.succeeded:
            delivery.state = "succeeded"
        elif response is not None and response.status_code == 410:
            delivery.state = "failed"
            self._endpoints.disable(endpoint.id, "the endpoint answered 410 Gone")
            logger.warning("webhook endpoint %s answered 410 Gone and is now disabled", endpoint.id)
        elif delivery.attempts > len(self._settings.webhook_retry_schedule):
            delivery.state = "failed"
            logger.warning(
                "webhook %s (%s) to %s failed after %d attempts", delivery.event.id, delivery.event.type,
                redact_url(endpoint.url), delivery.attempts,
            )  # fmt: skip
        else:
            delay = self._settings.webhook_retry_schedule[delivery.attempts - 1]
            asked = None if response is None else _retry_after(response, exchange.sent_at)
            next_retry_at = exchange.attempted_at + (delay if asked is None else asked)
            delivery.timer = self._scheduler.schedule(next_retry_at, lambda at: self._spawn(delivery, generation))
            return next_retry_at
        return None

    def _record(
        self,
        delivery: EventDelivery,
        endpoint: WebhookEndpoint,
        exchange: _Exchange,
        next_retry_at: float | None,
        *,
        chaos: list[ChaosMark] | None = None,
        number: int | None = None,
    ) -> AttemptRecord:
        """The attempt in the delivery log (and the server log)."""
        response = exchange.response
        attempt = AttemptRecord(
            id=self._ids.delivery_attempt(),
            delivery=delivery,
            url=endpoint.url,
            attempt=delivery.attempts if number is None else number,
            attempted_at=exchange.attempted_at,
            sent_at=exchange.sent_at,
            duration_ms=exchange.duration_ms,
            sent=AttemptRecord.headers_kept(delivery, exchange.sent_at, exchange.headers),
            body=exchange.body,
            status=None if response is None else response.status_code,
            response_body="" if response is None else response.text[:_KEPT_RESPONSE_CHARS],
            error=exchange.error,
            succeeded=exchange.succeeded,
            next_retry_at=next_retry_at,
            chaos=chaos or _NO_CHAOS,
            chaos_detail=exchange.chaos_detail,
        )
        self.attempts.append(attempt)
        outcome = response.status_code if response is not None else exchange.error
        logger.info(
            "webhook %s %s attempt %d to %s: %s%s", delivery.event.type, delivery.event.id, attempt.attempt,
            redact_url(endpoint.url), outcome, f" (chaos: {', '.join(attempt.chaos)})" if attempt.chaos else "",
        )  # fmt: skip
        return attempt

    async def send_test(self, endpoint: WebhookEndpoint, event: RecordedEvent) -> DeliveryAttempt:
        """`POST /v1/webhook_endpoints/{id}/test`: one signed attempt of a stand-in event now, never retried,
        recorded in the delivery log like any other; the event itself is not in the event log (nothing happened)."""
        delivery = self._new_delivery(LoggedEvent.of(event), endpoint.id, _payload(event))
        delivery.attempts = 1
        exchange = await self._post(endpoint, delivery)
        delivery.state = "succeeded" if exchange.succeeded else "failed"
        return self._record(delivery, endpoint, exchange, None).wire()

    # -- lifetime ----------------------------------------------------------------------------------------------------

    def pending(self) -> list[EventDelivery]:
        return [delivery for delivery in self.deliveries.values() if delivery.state == "pending"]

    def reset(self) -> None:
        self._generation += 1
        self._queued.clear()  # first: a cancelled task's `_finished` would start the next
        for task in self._inflight:
            task.cancel()
        self._inflight.clear()
        self._backlog.clear()
        self._held.clear()
        self._chaos.reseed()
        self.deliveries.clear()
        self.attempts.clear()

    async def close(self) -> None:
        """At shutdown: say what will never be delivered, then stop."""
        for delivery in self.pending():
            logger.warning(
                "undelivered webhook: %s %s (%s) to endpoint %s after %d attempt(s)", delivery.event.type,
                delivery.event.id, delivery.event.object_id, delivery.endpoint_id, delivery.attempts,
            )  # fmt: skip
        self._queued.clear()
        for task in list(self._inflight):
            task.cancel()
        if self._inflight:
            await asyncio.gather(*self._inflight, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()
