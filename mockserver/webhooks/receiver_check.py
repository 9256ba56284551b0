"""The receiver check (`mockserver check-receiver`, `mockserver.check_receiver`, `POST /_mock/webhooks/endpoints/
{id}/check`): a battery of valid and deliberately broken deliveries sent to the user's receiver, and a verdict on
each answer.

A receiver must take every valid delivery (2xx) within the timeout, and refuse every broken one with a 4xx: a 2xx
means it would act on a forged or replayed request, and a 5xx means OpenAI would retry a forgery for three days. A
duplicate `webhook-id` must be answered 2xx (at-least-once delivery); whether the receiver also acted on it only
once cannot be seen from outside, so an `idempotency_hook` can tell.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx

from mockserver import clock as clocks
from mockserver.ids import IdFactory
from mockserver.schemas.chaos import BrokenKind
from mockserver.schemas.receiver_check import CaseGroup, CheckCase, ReceiverReport
from mockserver.schemas.webhooks import EventData, WebhookEvent
from mockserver.webhooks.chaos import broken_request, without
from mockserver.webhooks.event_types import EVENT_TYPES
from mockserver.webhooks.samples import sample_data
from mockserver.webhooks.signing import signed_headers

# Called with the duplicated `webhook-id` once both deliveries were answered: True when the receiver acted once.
IdempotencyHook = Callable[[str], bool]


@dataclass(frozen=True)
class _Broken:
    name: str
    group: CaseGroup
    kind: BrokenKind | None  # None: a header left out (named in `missing`)
    missing: str | None
    why: str


_BROKEN: tuple[_Broken, ...] = (
    _Broken("bad signature", "signature", "bad_signature", None, "anyone could forge an event"),
    _Broken("wrong secret", "signature", "wrong_secret", None, "events signed with another secret are taken"),
    _Broken("missing webhook-signature", "signature", None, "webhook-signature", "unsigned events are taken"),
    _Broken("missing webhook-id", "signature", None, "webhook-id", "the signature cannot have been checked"),
    _Broken("stale timestamp", "timestamp", "stale_timestamp", None, "a captured delivery can be replayed later"),
    _Broken("future timestamp", "timestamp", "future_timestamp", None, "timestamps are not checked"),
    _Broken("missing webhook-timestamp", "timestamp", None, "webhook-timestamp", "timestamps are not checked"),
    _Broken("tampered body", "tamper", "tampered_body", None, "a changed body is taken as signed"),
)

IDEMPOTENCY_NOTE = (
    "a duplicate webhook-id must be answered 2xx, but whether the receiver acted on it only once cannot be seen "
    "from outside: pass idempotency_hook=<callable(webhook_id) -> bool> to check_receiver(), or assert it in your "
    "test after the check"
)


class _Battery:
    def __init__(
        self,
        client: httpx.AsyncClient,
        url: str,
        secret: str,
        timeout: float,
        seed: int | None,
        wall_clock: Callable[[], float],
    ) -> None:
        self._client = client
        self._url = url
        self._secret = secret
        self._timeout = timeout
        self._ids = IdFactory(seed)
        self._rng = random.Random(seed)
        self._wall_clock = wall_clock
        self.durations: list[float] = []

    def event(self, event_type: str) -> tuple[str, bytes]:
        """A fresh `webhook-id` and the body of a stand-in event of that type."""
        data = EventData.model_validate(sample_data(event_type, self._ids))
        created_at = int(self._wall_clock())
        payload = WebhookEvent(id=self._ids.event(), type=event_type, created_at=created_at, data=data)
        return self._ids.webhook_message(), payload.model_dump_json().encode()

    def now(self) -> int:
        return int(self._wall_clock())

    async def post(self, headers: dict[str, str], body: bytes) -> tuple[int | None, str]:
        """The receiver's status (None: no answer) and how to show it."""
        started = clocks.elapsed()
        try:
            response = await self._client.post(self._url, content=body, headers=headers, timeout=self._timeout)
        except httpx.TimeoutException:
            return None, f"timed out after {self._timeout:g} s"
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            return None, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        seconds = clocks.elapsed() - started
        self.durations.append(seconds)
        return response.status_code, f"{response.status_code} in {seconds * 1000:.0f} ms"

    async def valid(self, event_type: str) -> CheckCase:
        webhook_id, body = self.event(event_type)
        status, got = await self.post(signed_headers([self._secret], webhook_id, self.now(), body), body)
        passed = status is not None and 200 <= status < 300
        why = None
        if not passed:
            why = "no answer" if status is None else "a correctly signed event is refused: retried, then given up"
        return CheckCase(name=f"valid {event_type}", group="valid", expected="2xx", got=got, passed=passed, why=why)

    async def broken(self, case: _Broken, event_type: str) -> CheckCase:
        webhook_id, body = self.event(event_type)
        if case.kind is not None:
            headers, body, _ = broken_request(
                case.kind, secrets=[self._secret], webhook_id=webhook_id, timestamp=self.now(), body=body,
                rng=self._rng,
            )  # fmt: skip
        else:
            assert case.missing is not None
            headers = without(signed_headers([self._secret], webhook_id, self.now(), body), case.missing)
        status, got = await self.post(headers, body)
        passed = status is not None and 400 <= status < 500
        why = None
        if status is not None and 200 <= status < 300:
            why = f"accepted: {case.why}"
        elif status is None:
            why = "no answer"
        elif not passed:
            why = "expected a 4xx: OpenAI retries anything else, so a forgery would be retried for days"
        return CheckCase(name=case.name, group=case.group, expected="4xx", got=got, passed=passed, why=why)

    async def duplicate(self, event_type: str, hook: IdempotencyHook | None) -> CheckCase:
        webhook_id, body = self.event(event_type)
        answers = []
        for _ in range(2):
            answers.append(await self.post(signed_headers([self._secret], webhook_id, self.now(), body), body))
        passed = all(status is not None and 200 <= status < 300 for status, _ in answers)
        got = " then ".join(got for _, got in answers)
        why = None if passed else "OpenAI delivers at least once: a repeat must be acknowledged, not failed"
        if passed and hook is not None and not hook(webhook_id):
            passed, why = False, f"the idempotency hook says {webhook_id} was acted on more than once"
            got += ", hook: acted twice"
        elif hook is not None:
            got += ", hook: acted once" if passed else ""
        return CheckCase(name="duplicate webhook-id", group="duplicate", expected="2xx, 2xx", got=got, passed=passed,
                         why=why)  # fmt: skip

    def speed(self, budget: float) -> CheckCase:
        slowest = max(self.durations, default=0.0)
        passed = bool(self.durations) and slowest <= budget
        why = None if passed else "answer first and do the work later: slow answers time out and are retried"
        if not self.durations:
            why = "no valid delivery was answered"
        return CheckCase(name="answers within budget", group="speed", expected=f"<= {budget * 1000:.0f} ms",
                         got=f"slowest {slowest * 1000:.0f} ms", passed=passed, why=why)  # fmt: skip


async def acheck_receiver(
    url: str,
    secret: str,
    *,
    events: Sequence[str] | None = None,
    timeout: float = 10.0,  # noqa: ASYNC109  # each delivery's, not the whole check's
    budget: float = 1.0,
    idempotency_hook: IdempotencyHook | None = None,
    seed: int | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    wall_clock: Callable[[], float] = clocks.wall_time,
) -> ReceiverReport:
    """`check_receiver` for async code."""
    types = list(events or EVENT_TYPES)
    async with httpx.AsyncClient(transport=transport, follow_redirects=False) as client:
        battery = _Battery(client, url, secret, timeout, seed, wall_clock)
        cases = [await battery.valid(event_type) for event_type in types]
        cases += [await battery.broken(case, types[0]) for case in _BROKEN]
        cases.append(await battery.duplicate(types[0], idempotency_hook))
        cases.append(battery.speed(budget))
    notes = [] if idempotency_hook is not None else [IDEMPOTENCY_NOTE]
    return ReceiverReport(url=url, passed=all(case.passed for case in cases), cases=cases, notes=notes)


def check_receiver(
    url: str,
    secret: str,
    *,
    events: Sequence[str] | None = None,
    timeout: float = 10.0,
    budget: float = 1.0,
    idempotency_hook: IdempotencyHook | None = None,
    seed: int | None = None,
) -> ReceiverReport:
    """Send a battery of valid and broken deliveries to the receiver at `url`, signed with `secret` (`whsec_…`), and
    report per case what it answered and whether that is right.

    Args:
        events: the event types it subscribes to (default: every type); one valid delivery of each is sent.
        timeout: seconds a delivery may take before it counts as unanswered.
        budget: seconds the slowest valid delivery may take (answer first, work later).
        idempotency_hook: called with the duplicated `webhook-id`; return True when the receiver acted once.
        seed: makes the events' ids reproducible.
    """
    work = acheck_receiver(
        url, secret, events=events, timeout=timeout, budget=budget, idempotency_hook=idempotency_hook, seed=seed
    )
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(work)
    # Called from async code (a test's loop is running): the check gets a loop of its own in a thread.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, work).result()
