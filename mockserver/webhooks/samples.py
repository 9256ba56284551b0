"""Stand-in `data` for an event of any subscribable type, shaped as the SDK's event class for that type: what
`POST /v1/webhook_endpoints/{id}/test` sends. The ids name no real object; `tests/webhooks/test_samples.py`
parses every type's sample with the SDK's `unwrap()`."""

from __future__ import annotations

from typing import Any

from mockserver.ids import IdFactory
from mockserver.webhooks.event_types import EVENT_TYPES

# The id prefix of the object each family of events is about (the agent and safety ones are not published).
_ID_PREFIXES: dict[str, str] = {
    "batch": "batch_",
    "response": "resp_",
    "eval.run": "evalrun_",
    "fine_tuning.job": "ftjob-",
    "video": "video_",
    "agent.environment": "env_",
    "agent.session": "sess_",
    "safety.alert": "alert_",
}


def _family(event_type: str) -> str:
    return event_type.rsplit(".", 1)[0]


def sample_data(event_type: str, ids: IdFactory) -> dict[str, Any]:
    """The `data` of a stand-in event of `event_type` (one of `EVENT_TYPES`)."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"not a subscribable event type: {event_type}")
    if event_type == "realtime.call.incoming":
        call_id = ids.hex("rtc_", 32)
        return {
            "call_id": call_id,
            "sip_headers": [
                {"name": "From", "value": "sip:+14155550100@example.test"},
                {"name": "To", "value": "sip:+14155550199@sip.api.openai.com"},
                {"name": "Call-ID", "value": call_id},
            ],
        }
    data: dict[str, Any] = {"id": ids.hex(_ID_PREFIXES[_family(event_type)], 32)}
    if event_type.startswith("agent.session."):
        data["environment_type"] = "container"
        data["environment_id"] = ids.hex("env_", 32)
    if event_type == "agent.session.action_required":
        data["required_action"] = {"type": "function_call"}
    return data
