"""`mockserver listen` shows what chaos does as a receiver sees it: broken attempts fail verification saying why,
duplicates and out-of-order events are remarked on."""

from __future__ import annotations

import io
import random

import httpx

from mockserver.listen import create_listener
from mockserver.webhooks.chaos import broken_request
from mockserver.webhooks.signing import signed_headers
from tests.webhooks.conftest import SECRET

NOW = 1_800_000_000


def _event(event_id: str, created_at: int) -> bytes:
    return (
        f'{{"object":"event","id":"{event_id}","type":"batch.completed","created_at":{created_at},'
        f'"data":{{"id":"batch_{event_id}"}}}}'
    ).encode()


async def test_listen_remarks_on_duplicates_reordering_and_says_why_broken_ones_fail() -> None:
    out = io.StringIO()
    app = create_listener(secret=SECRET, forward_to=None, out=out, wall_clock=lambda: NOW)
    sent = [
        ("wh_1", _event("evt_1", NOW - 5)),
        ("wh_2", _event("evt_2", NOW)),
        ("wh_1", _event("evt_1", NOW - 5)),  # the duplicate of the first: also older than the second
        ("wh_3", _event("evt_3", NOW - 60)),  # reordered
    ]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://listen") as http:
        statuses = [
            (await http.post("/", content=body, headers=signed_headers([SECRET], webhook_id, NOW, body))).status_code
            for webhook_id, body in sent
        ]
        body = _event("evt_4", NOW)
        headers, body, _ = broken_request(
            "stale_timestamp", secrets=[SECRET], webhook_id="wh_4", timestamp=NOW, body=body, rng=random.Random(1)
        )
        statuses.append((await http.post("/", content=body, headers=headers)).status_code)
    assert statuses == [200, 200, 200, 200, 400]
    first, second, duplicate, reordered, stale = out.getvalue().splitlines()
    assert "evt_1" in first and "(" not in first.split("signature ok")[1]
    assert "(duplicate: wh_1 was accepted before)" in duplicate
    assert "(out of order: 5 s older than an event already accepted)" in duplicate
    assert "(out of order: 60 s older" in reordered and "duplicate" not in reordered
    assert "signature INVALID: webhook-timestamp is 600 s away from now" in stale
