"""The inspector (`/_mock/ui`) in a real headless Chromium against a live `MockServer` seeded with the example
fixtures: what a person sees and what the page's buttons do, through the control API.

Marked `heavy` as well as `e2e`: nothing here depends on the OpenAI SDK, so the openai 2.x pass skips it. Without a
Chromium the tests skip, saying how to install one (`tests/e2e/browser.py`)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver import Chrome
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from mockserver import MockServer
from mockserver.kinds import DEFAULT_PHASES
from mockserver.webhooks.event_types import EVENT_TYPES
from tests.e2e.browser import chromium
from tests.e2e.receiver import LoopbackReceiver

pytestmark = [pytest.mark.e2e, pytest.mark.heavy]

SEEDED = (
    "ftjob-seedvalidatingfiles0001", "ftjob-seedqueued00000000000001", "ftjob-seedrunning0000000000001",
    "ftjob-seedpaused00000000000001", "ftjob-seedsucceeded00000000001", "ftjob-seedfailed0000000000001",
    "ftjob-seedcancelled00000000001",
)  # fmt: skip
RUNNING = "ftjob-seedrunning0000000000001"
QUEUED = "ftjob-seedqueued00000000000001"
# `MOCKSERVER_INSPECTOR_SCREENSHOT=docs/inspector.png pytest tests/e2e/test_inspector_browser.py` refreshes the
# README's screenshot; a plain run writes nothing into the tree.
SCREENSHOT = os.environ.get("MOCKSERVER_INSPECTOR_SCREENSHOT")


@pytest.fixture(scope="module")
def browser() -> Iterator[Chrome]:
    # One browser for the module (starting one costs most of a test); each test has its own server, so its own
    # origin and session storage.
    with chromium() as driver:
        yield driver


@pytest.fixture
def seeded(mock_server_factory: Callable[..., MockServer]) -> MockServer:
    return mock_server_factory(clock="manual", fixtures="example")


def until(driver: Chrome, condition: Callable[[Chrome], Any], timeout: float = 10) -> Any:
    """Wait for a condition of the page; the page rebuilds a section when its data changes, so elements go stale."""
    ignored = (NoSuchElementException, StaleElementReferenceException)
    return WebDriverWait(driver, timeout, ignored_exceptions=ignored).until(condition)


def status_of(driver: Chrome, object_id: str) -> str | None:
    return driver.find_element(By.ID, f"object-{object_id}").get_attribute("data-status")


def open_page(driver: Chrome, server: MockServer, fragment: str = "") -> None:
    driver.get(f"{server.url}/_mock/ui{fragment}")
    until(driver, lambda d: d.execute_script("return document.documentElement.dataset.loadedMs"))


def save_screenshot(driver: Chrome, path: Path) -> None:
    """The top of the page, small (about 80 KB: text on flat colour is what PNG packs best)."""
    driver.set_window_size(1000, 720)
    driver.execute_script("window.scrollTo(0, 0)")
    path.write_bytes(driver.get_screenshot_as_png())


def test_the_seeded_jobs_appear_and_advancing_the_clock_moves_one_to_succeeded(
    browser: Chrome, seeded: MockServer
) -> None:
    open_page(browser, seeded)
    assert "mock" in browser.find_element(By.ID, "mock-banner").text
    until(browser, lambda d: all(d.find_elements(By.ID, f"object-{job_id}") for job_id in SEEDED))
    assert status_of(browser, RUNNING) == "running"
    assert browser.find_element(By.ID, "clock-mode").text == "manual"

    seconds = browser.find_element(By.ID, "advance-seconds")
    seconds.clear()
    seconds.send_keys(str(DEFAULT_PHASES["fine_tuning.running"] + 1))
    browser.find_element(By.ID, "advance-button").click()
    until(browser, lambda d: status_of(d, RUNNING) == "succeeded")
    row = browser.find_element(By.ID, f"object-{RUNNING}")
    assert "running" in row.text and "→ succeeded" in row.text  # the timeline shows how it got there


def test_forcing_a_failure_along_the_legal_path_shows_it(browser: Chrome, seeded: MockServer) -> None:
    open_page(browser, seeded)
    until(browser, lambda d: status_of(d, QUEUED) == "queued")
    browser.find_element(By.CSS_SELECTOR, f'button[data-force-open="{QUEUED}"]').click()
    Select(browser.find_element(By.CSS_SELECTOR, f'select[data-object="{QUEUED}"]')).select_by_value("failed")
    browser.find_element(By.CSS_SELECTOR, f'button[data-force="{QUEUED}"]').click()
    until(browser, lambda d: status_of(d, QUEUED) == "failed")
    row = browser.find_element(By.ID, f"object-{QUEUED}")
    assert row.find_element(By.CLASS_NAME, "object-status").text == "failed"
    assert "running" in row.text  # the legal path went through running
    assert "done" in browser.find_element(By.ID, "action-result").text


def test_a_delivery_shows_its_body_and_an_event_can_be_resent(browser: Chrome, seeded: MockServer) -> None:
    receiver = LoopbackReceiver()
    try:
        created = httpx.post(f"{seeded.url}/_mock/webhooks/endpoints", json={"url": receiver.url})
        assert created.status_code == 200, created.text
        httpx.post(f"{seeded.url}/_mock/objects/{RUNNING}/transition", json={"status": "succeeded"}).raise_for_status()
        open_page(browser, seeded)
        summary = until(browser, lambda d: d.find_element(By.CSS_SELECTOR, "#deliveries details summary"))
        assert "fine_tuning.job.succeeded" in summary.text and "200" in summary.text
        summary.click()
        body = until(browser, lambda d: d.find_element(By.CSS_SELECTOR, "#deliveries details[open] .delivery-body"))
        assert '"type": "fine_tuning.job.succeeded"' in body.text and RUNNING in body.text
        secret = browser.find_element(By.CSS_SELECTOR, "#endpoints .secret").text
        assert secret and created.json()["secret"] not in browser.page_source  # masked

        browser.find_element(By.CSS_SELECTOR, "#events button[data-resend]").click()
        until(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#deliveries details")) == 2)
        receiver.wait_for(2)
        if SCREENSHOT:
            save_screenshot(browser, Path(SCREENSHOT))
    finally:
        receiver.close()


def test_an_event_type_can_be_triggered_from_the_page(browser: Chrome, seeded: MockServer) -> None:
    open_page(browser, seeded)
    until(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#trigger-type option")) == len(EVENT_TYPES))
    Select(browser.find_element(By.ID, "trigger-type")).select_by_value("batch.expired")
    browser.find_element(By.ID, "trigger-button").click()
    until(browser, lambda d: "trigger batch.expired: done" in d.find_element(By.ID, "action-result").text)
    until(browser, lambda d: "batch.expired" in d.find_element(By.ID, "events").text)
    (event,) = httpx.get(f"{seeded.url}/_mock/webhooks/events", params={"event_type": "batch.expired"}).json()["data"]
    batch = httpx.get(f"{seeded.base_url}/batches/{event['data']['id']}", headers={"Authorization": "Bearer sk-x"})
    assert batch.json()["status"] == "expired"  # a real batch, driven to the state that announces the type


def test_script_in_metadata_is_shown_as_text_and_never_runs(browser: Chrome, seeded: MockServer) -> None:
    hostile = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'
    created = httpx.post(
        f"{seeded.base_url}/fine_tuning/jobs",
        headers={"Authorization": "Bearer sk-inspector"},
        json={"model": "gpt-4o-mini", "training_file": "file-seedvalidtraining00001", "metadata": {"note": hostile}},
    )
    assert created.status_code == 200, created.text
    job_id = created.json()["id"]
    open_page(browser, seeded)
    metadata = until(browser, lambda d: d.find_element(By.CSS_SELECTOR, f"#object-{job_id} .metadata"))
    assert metadata.text == f"note: {hostile}"
    # The request journal shows the same body (as JSON, so its quotes escaped), also as text.
    until(browser, lambda d: "<script>window.__pwned = 1</script>" in d.find_element(By.ID, "requests").text)
    assert browser.execute_script("return window.__pwned") is None
    assert browser.find_elements(By.CSS_SELECTOR, "main img, main script") == []


def test_the_journal_filters_by_method(browser: Chrome, seeded: MockServer) -> None:
    headers = {"Authorization": "Bearer sk-inspector"}
    httpx.get(f"{seeded.base_url}/fine_tuning/jobs", headers=headers).raise_for_status()
    httpx.post(f"{seeded.base_url}/fine_tuning/jobs/{QUEUED}/cancel", headers=headers).raise_for_status()
    open_page(browser, seeded)
    until(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#requests tbody tr")) == 2)
    Select(browser.find_element(By.ID, "requests-method")).select_by_value("POST")
    until(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#requests tbody tr")) == 1)
    assert "/cancel" in browser.find_element(By.CSS_SELECTOR, "#requests tbody tr").text


def test_with_an_admin_token_the_page_refuses_without_it(
    browser: Chrome, mock_server_factory: Callable[..., MockServer]
) -> None:
    server = mock_server_factory(clock="manual", fixtures="example", admin_token="open-sesame")
    browser.get(f"{server.url}/_mock/ui")
    login = until(
        browser, lambda d: d.find_element(By.ID, "login") if d.find_element(By.ID, "login").is_displayed() else None
    )
    assert not browser.find_element(By.ID, "main").is_displayed()
    assert "ftjob-seed" not in browser.page_source

    field = login.find_element(By.ID, "login-token")
    field.send_keys("wrong")
    login.find_element(By.CSS_SELECTOR, "button").click()
    until(browser, lambda d: d.find_element(By.ID, "login-refused").is_displayed())
    assert "ftjob-seed" not in browser.page_source

    field.clear()
    field.send_keys("open-sesame")
    login.find_element(By.CSS_SELECTOR, "button").click()
    until(browser, lambda d: status_of(d, RUNNING) == "running")

    # A link may carry the token in its fragment (which never reaches the server); the page drops it from the URL.
    browser.execute_script("sessionStorage.clear()")
    browser.get("about:blank")
    open_page(browser, server, "#token=open-sesame")
    until(browser, lambda d: status_of(d, RUNNING) == "running")
    assert "#" not in browser.current_url
