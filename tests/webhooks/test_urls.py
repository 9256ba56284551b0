"""Webhook URLs: validated completely (issue 12, item 11), and never logged with their secrets (item 15)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import httpx
import openai
import pytest

from mockserver.cli import main
from tests.conftest import Advance
from tests.webhooks.conftest import Receiver

Upload = Callable[..., Awaitable[str]]

BAD_URLS = [
    "http://127.0.0.1:99999/hook",
    "http://127.0.0.1:0/hook",
    "http://127.0.0.1:-1/hook",
    "http://127.0.0.1:80x/hook",
    "ftp://127.0.0.1/hook",
    "http:///hook",
    "http://exa mple.test/hook",
    "http://example.test/ho\nok",
    "/relative/hook",
]


@pytest.mark.parametrize("url", BAD_URLS)
async def test_a_webhook_url_is_validated_completely(http: httpx.AsyncClient, url: str) -> None:
    response = await http.post("/_mock/webhooks/endpoints", json={"url": url})
    assert response.status_code == 400, response.text
    assert response.json()["error"]["param"] == "url"
    assert [e["id"] for e in (await http.get("/_mock/webhooks/endpoints")).json()["data"]] == ["we_cli_1"]


@pytest.mark.parametrize("url", BAD_URLS[:2])
def test_the_command_line_refuses_the_same_urls(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--port", "0", "--webhook-url", url]) == 2
    assert "port must be within 1-65535" in capsys.readouterr().err


async def test_secrets_in_a_webhook_url_are_never_logged(
    http: httpx.AsyncClient,
    client: openai.AsyncOpenAI,
    upload: Upload,
    advance: Advance,
    receiver: Receiver,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Secrets no id can contain (ids are hex or letters and digits): a short one such as "abc" turned up in request ids.
    url = "http://alice:hunter2@hooks.test/in?token=s3cret&sig=xyzzy-sig"
    await http.post("/_mock/webhooks/endpoints", json={"url": url})
    receiver.then(500, 500)  # a failure, a retry and a success: every log line a delivery can write
    caplog.set_level(logging.DEBUG)
    job = await client.fine_tuning.jobs.create(model="gpt-4o-mini", training_file=await upload())
    await client.fine_tuning.jobs.cancel(job.id)
    await advance(3600)
    assert any(request.url.password == "hunter2" for request in receiver.requests)  # the receiver gets them all
    assert "hooks.test/in?token=***&sig=***" in caplog.text and "alice:***@" in caplog.text
    assert any(record.name == "httpx" for record in caplog.records)
    for secret in ("hunter2", "s3cret", "xyzzy-sig"):
        assert secret not in caplog.text
