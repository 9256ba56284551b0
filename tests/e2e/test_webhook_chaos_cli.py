"""`--webhook-chaos` on a served mock, as CI would start one: the receiver gets each event's duplicate (same
`webhook-id`) and a tampered attempt before it; the delivery log marks both and counts the event delivered once."""

from __future__ import annotations

import time
from collections import Counter

import httpx
import pytest

from mockserver.webhooks.signing import SignatureError, verify
from tests.e2e.conftest import SECRET, start_cli
from tests.e2e.receiver import LoopbackReceiver
from tests.e2e.test_webhooks import Sdk, _job
from tests.verification import verify_both

pytestmark = pytest.mark.e2e


def test_the_serve_flag_disturbs_the_command_lines_endpoints(sdk: Sdk) -> None:
    receiver = LoopbackReceiver()
    server = start_cli(
        "--port", "0", "--clock", "manual", "--seed", "4", "--webhook-url", receiver.url, "--webhook-secret", SECRET,
        "--webhook-chaos", "duplicate,tampered_body",
    )  # fmt: skip
    try:
        client = sdk(server.base_url)
        job_id = _job(client)
        client.fine_tuning.jobs.cancel(job_id)
        server.advance(0)
        deliveries = httpx.get(f"{server.url}/_mock/webhooks/deliveries", timeout=10).json()["data"]
    finally:
        assert server.stop() == 0
        receiver.close()
    tampered, proper, duplicate = receiver.received
    assert verify_both(proper, SECRET).data.id == job_id and verify_both(duplicate, SECRET).data.id == job_id
    with pytest.raises(SignatureError, match="no v1 signature matches"):
        verify(SECRET, tampered.headers, tampered.body, now=time.time())
    assert len({r.headers["webhook-id"] for r in receiver.received}) == 1
    marks = Counter(tuple(attempt["chaos"]) for attempt in deliveries)
    assert marks == Counter({(): 1, ("duplicate",): 1, ("tampered_body",): 1})
    [counted] = [attempt for attempt in deliveries if not attempt["chaos"]]
    assert counted["succeeded"] and counted["attempt"] == 1
    assert SECRET not in "".join(server.output)
