"""A headless Chromium driven by Selenium: the system's browser (Debian's `chromium` and `chromium-driver`), since
no browser can be downloaded on these machines. Without one, the browser tests skip and say how to get one."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

INSTALL_HINT = (
    "no Chromium to drive: install one with `apt-get install -y chromium chromium-driver` (Debian; `.ci/run` does "
    "it in CI), or put `chromium` and `chromedriver` on PATH"
)
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",  # containers give /dev/shm 64 MB, which a renderer can outgrow
)


def _find() -> tuple[str, str] | None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    driver = shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


def browser_available() -> bool:
    return _find() is not None


@contextmanager
def chromium(width: int = 1280, height: int = 900) -> Iterator[webdriver.Chrome]:
    """A fresh headless Chromium with its own profile, quit when the block ends; skips the test without one."""
    found = _find()
    if found is None:
        pytest.skip(INSTALL_HINT)
    browser, driver_path = found
    with tempfile.TemporaryDirectory(prefix="mockserver-chromium-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = browser
        for flag in (*FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}"):
            options.add_argument(flag)
        # The driver is given, so Selenium Manager (which would look for one on the internet) is never consulted.
        driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
        try:
            yield driver
        finally:
            driver.quit()
