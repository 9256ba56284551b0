"""The webhook endpoints API end to end: an endpoint configured as production does, on the CLI-started server,
delivering to a real receiver on loopback. Configured with plain HTTP (openai 2.x's SDK has no such methods; the
in-process tests drive the SDK's own); everything received is verified with the SDK and standardwebhooks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import openai
import pytest

from tests.conftest import training_lines
from tests.e2e.conftest import CliServer
from tests.e2e.receiver import LoopbackReceiver
from tests.verification import verify_both

pytestmark = pytest.mark.e2e

Api = Callable[..., Any]


@pytest.fixture
def receiver() -> Iterator[LoopbackReceiver]:
    receiver = LoopbackReceiver()
    yield receiver
    receiver.close()


@pytest.fixture
def api(live: CliServer) -> Iterator[Api]:
    """One OpenAI-surface request as JSON, with a key of the default project."""
    with httpx.Client(base_url=live.base_url, headers={"Authorization": "Bearer sk-e2e"}, timeout=10) as http:

        def call(method: str, path: str, **body: Any) -> Any:
            response = http.request(method, path, json=body or None)
            assert response.status_code == 200, response.text
            return response.json()

        yield call


def _job(client: openai.OpenAI, scenario: str) -> str:
    training = client.files.create(file=("train.jsonl", training_lines()), purpose="fine-tune")
    headers = {"x-mock-scenario": scenario}
    return client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=training.id, extra_headers=headers).id


def test_an_endpoint_gets_exactly_its_subscribed_events_and_rotation_and_test_work(
    live: CliServer, api: Api, sdk: Callable[..., openai.OpenAI], receiver: LoopbackReceiver
) -> None:
    subscribed = ["fine_tuning.job.cancelled", "fine_tuning.job.failed"]
    endpoint = api("POST", "/webhook_endpoints", url=receiver.url, name="e2e", event_types=subscribed)
    client = sdk(live.base_url)
    cancelled, failed = _job(client, "stall"), _job(client, "fail")
    _job(client, "succeed")  # announced, but not to this endpoint
    client.fine_tuning.jobs.cancel(cancelled)
    live.advance(3600)
    events = [verify_both(received, endpoint["signing_secret"]) for received in receiver.received]
    assert sorted((event.type, event.data.id) for event in events) == sorted(
        [("fine_tuning.job.cancelled", cancelled), ("fine_tuning.job.failed", failed)]
    )

    old = endpoint["signing_secret"]
    new = api("POST", f"/webhook_endpoints/{endpoint['id']}/rotate_secret", keep_old_secret_active_for_24_hours=True)[
        "signing_secret"
    ]
    receiver.clear()
    client.fine_tuning.jobs.cancel(_job(client, "stall"))
    live.advance(24 * 3600 - 1)
    client.fine_tuning.jobs.cancel(_job(client, "stall"))
    live.advance(2)  # the old secret's 24 hours of server time are over
    client.fine_tuning.jobs.cancel(_job(client, "stall"))
    live.advance(0)
    within, last_second, after = receiver.wait_for(3)
    for received in (within, last_second):
        verify_both(received, old)
        verify_both(received, new)
    verify_both(after, new)
    with pytest.raises(Exception, match="signature"):
        verify_both(after, old)

    receiver.then("ok", "fail")
    tested = [
        api("POST", f"/webhook_endpoints/{endpoint['id']}/test", event_type="fine_tuning.job.succeeded")["status_code"]
        for _ in range(2)
    ]
    assert tested == [200, 500]
