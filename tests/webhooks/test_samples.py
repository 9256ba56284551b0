"""Every subscribable event type has a stand-in payload that the SDK's `unwrap()` parses into that type's class."""

from __future__ import annotations

import json
import time
import typing

import openai
import pytest
from openai.types.webhooks import unwrap_webhook_event

from mockserver.ids import IdFactory
from mockserver.webhooks.event_types import EVENT_TYPES
from mockserver.webhooks.samples import sample_data
from mockserver.webhooks.signing import signed_headers
from tests.webhooks.conftest import SECRET

# The SDK's event class for each type it can parse (`video.*` have none: unwrap() gives a loosely built object).
SDK_CLASSES = {
    typing.get_args(cls.model_fields["type"].annotation)[0]: cls
    for cls in typing.get_args(typing.get_args(unwrap_webhook_event.UnwrapWebhookEvent)[0])
}


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_each_types_sample_unwraps_into_its_sdk_class(event_type: str) -> None:
    body = json.dumps(
        {
            "object": "event",
            "id": "evt_1",
            "type": event_type,
            "created_at": 1,
            "data": sample_data(event_type, IdFactory(1)),
        }
    )
    headers = signed_headers([SECRET], "wh_1", int(time.time()), body.encode())
    event = openai.OpenAI(api_key="unused").webhooks.unwrap(body, headers, secret=SECRET)
    assert event.type == event_type
    sdk_class = SDK_CLASSES.get(event_type)
    if sdk_class is None:
        if not event_type.startswith("video."):
            pytest.skip(f"this openai SDK ({openai.__version__}) has no event class for {event_type}")
        return
    sdk_class.model_validate(json.loads(body))  # strict: every required field there, with its type


def test_an_unknown_type_has_no_sample() -> None:
    with pytest.raises(ValueError, match="not a subscribable event type"):
        sample_data("fine_tuning.job.canceled", IdFactory(1))
