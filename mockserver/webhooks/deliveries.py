"""Deliveries and the delivery log as the dispatcher keeps them: every attempt stays readable
(`GET /_mock/webhooks/deliveries`) for as long as the server runs, so each is kept small (issue 12) and its
`DeliveryAttempt` model is made only when the log is read."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

from mockserver.scheduler import Timer
from mockserver.schemas.chaos import ChaosMark
from mockserver.schemas.webhooks import DeliveryAttempt, ReceivedResponse, SentRequest
from mockserver.webhooks.chaos import ChaosPlan
from mockserver.webhooks.events import LoggedEvent
from mockserver.webhooks.signing import delivery_headers


@dataclass(slots=True)
class EventDelivery:
    """One event on its way to one endpoint: its attempts so far and where it stands (not to be confused with a
    receiver's record of what it got, `mockserver.testing.receiver.Delivery`)."""

    id: str
    event: LoggedEvent  # the event log's own record, shared
    endpoint_id: str
    webhook_id: str
    body: bytes
    attempts: int = 0
    state: Literal["pending", "succeeded", "failed", "abandoned"] = "pending"
    timer: Timer | None = field(default=None, repr=False)
    chaos: ChaosPlan | None = None


@dataclass(slots=True)
class AttemptRecord:
    """One attempt as the log keeps it: what the delivery already holds (ids, event, body) is referred to, not
    copied, and a proper attempt's headers are kept as its signature alone (the rest follow from the delivery)."""

    id: str
    delivery: EventDelivery
    url: str
    attempt: int
    attempted_at: float
    sent_at: int
    duration_ms: float
    sent: str | dict[str, str]  # the webhook-signature of a proper attempt; every header of a broken one
    body: bytes  # the delivery's own bytes, unless the chaos broke them
    status: int | None  # None: no answer (`error` says why)
    response_body: str
    error: str | None
    succeeded: bool
    next_retry_at: float | None
    chaos: list[ChaosMark]
    chaos_detail: str | None

    @staticmethod
    def headers_kept(delivery: EventDelivery, sent_at: int, headers: dict[str, str]) -> str | dict[str, str]:
        """What `sent` keeps of the headers an attempt went out with."""
        signature = headers.get("webhook-signature")
        if signature is not None and headers == delivery_headers(delivery.webhook_id, sent_at, signature):
            return signature
        return headers

    def wire(self) -> DeliveryAttempt:
        delivery, event = self.delivery, self.delivery.event
        headers = (
            delivery_headers(delivery.webhook_id, self.sent_at, self.sent) if isinstance(self.sent, str) else self.sent
        )
        return DeliveryAttempt(
            id=self.id,
            delivery_id=delivery.id,
            endpoint_id=delivery.endpoint_id,
            url=self.url,
            webhook_id=delivery.webhook_id,
            event_id=event.id,
            event_type=event.type,
            object_id=event.object_id,
            attempt=self.attempt,
            attempted_at=self.attempted_at,
            sent_at=self.sent_at,
            duration_ms=self.duration_ms,
            request=SentRequest(headers=headers, body=self.body.decode()),
            response=None if self.status is None else ReceivedResponse(status=self.status, body=self.response_body),
            error=self.error,
            succeeded=self.succeeded,
            next_retry_at=self.next_retry_at,
            chaos=list(self.chaos),
            chaos_detail=self.chaos_detail,
        )


class DeliveryLog:
    """Every attempt, oldest first; iterating (either way) makes each one's `DeliveryAttempt`."""

    def __init__(self) -> None:
        self._records: list[AttemptRecord] = []

    def append(self, record: AttemptRecord) -> None:
        self._records.append(record)

    def clear(self) -> None:
        self._records.clear()

    def __len__(self) -> int:
        return len(self._records)

    def __iter__(self) -> Iterator[DeliveryAttempt]:
        return (record.wire() for record in self._records)

    def __reversed__(self) -> Iterator[DeliveryAttempt]:
        return (record.wire() for record in reversed(self._records))
