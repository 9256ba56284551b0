"""Every event type a webhook endpoint can subscribe to: the official SDK's list (`client.webhooks.create`'s
`event_types`), in its order. Endpoint filters, the webhook endpoints API and `GET /v1/webhook_event_types` all
read this one tuple; `tests/webhooks/test_endpoints_api.py` fails when the installed SDK's list differs."""

from __future__ import annotations

import difflib

EVENT_TYPES: tuple[str, ...] = (
    "batch.completed",
    "batch.failed",
    "batch.expired",
    "batch.cancelled",
    "response.completed",
    "response.failed",
    "response.cancelled",
    "response.incomplete",
    "eval.run.succeeded",
    "eval.run.failed",
    "eval.run.canceled",
    "fine_tuning.job.succeeded",
    "fine_tuning.job.failed",
    "fine_tuning.job.cancelled",
    "realtime.call.incoming",
    "video.completed",
    "video.failed",
    "agent.environment.ready",
    "agent.environment.failed",
    "agent.environment.suspended",
    "agent.environment.expired",
    "agent.session.created",
    "agent.session.action_required",
    "agent.session.in_progress",
    "agent.session.idle",
    "agent.session.failed",
    "safety.alert.created",
)


# The mock's own event type, sent only to endpoints that asked for every state change (`all_transitions`): no real
# endpoint can subscribe to it, and the SDK has no class for it.
TRANSITION_EVENT = "mock.transition"


def unknown_event_type_message(event_type: str) -> str:
    """What a refused type is told, with the closest known type when there is one (a typo like `canceled`)."""
    close = difflib.get_close_matches(event_type, EVENT_TYPES, n=1)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    return f"Unknown event type '{event_type}'.{hint} Supported event types are: {', '.join(EVENT_TYPES)}."


def check_event_type(event_type: str) -> str:
    """`event_type`, if an endpoint can subscribe to it; else `ValueError` saying so, with the closest known type."""
    if event_type not in EVENT_TYPES:
        raise ValueError(unknown_event_type_message(event_type))
    return event_type
