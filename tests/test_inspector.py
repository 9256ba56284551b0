"""The inspector's server side: the page served from the package, without data and so without the admin token
(its data comes from `/_mock`, which needs it). The page itself is tested in a real browser in
`tests/e2e/test_inspector_browser.py`; its list of objects in `tests/test_control_objects.py`."""

from __future__ import annotations

import httpx
import pytest

from mockserver import Settings, create_app
from tests.conftest import BASE_URL
from tests.e2e import browser


async def test_the_page_and_its_assets_are_served_from_the_package() -> None:
    # Not the `http` fixture: it checks every answer against OpenAI's spec, which has no pages.
    transport = httpx.ASGITransport(app=create_app(Settings(clock="manual")))
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as http:
        await _check_the_files(http)


async def _check_the_files(http: httpx.AsyncClient) -> None:
    for path in ("/_mock/ui", "/_mock/ui/", "/_mock/ui/objects/kept-link"):
        page = await http.get(path)
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert "This is a <strong>mock</strong> of the OpenAI API" in page.text
        # Even an unescaped string from a request could run no inline script.
        assert "script-src 'self'" in page.headers["content-security-policy"]
    script = await http.get("/_mock/ui/inspector.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    assert "innerHTML" not in script.text.replace("never innerHTML", "")
    assert (await http.get("/_mock/ui/inspector.css")).headers["content-type"].startswith("text/css")
    missing = await http.get("/_mock/ui/nothing.js")
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "not_found")


async def test_with_an_admin_token_the_page_loads_but_its_data_needs_the_token() -> None:
    app = create_app(Settings(clock="manual", admin_token="let-me-in", fixtures="example"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as http:
        page = await http.get("/_mock/ui")
        assert page.status_code == 200 and "ftjob-" not in page.text
        assert (await http.get("/_mock/objects")).status_code == 401
        listed = await http.get("/_mock/objects", headers={"Authorization": "Bearer let-me-in"})
        assert listed.status_code == 200 and len(listed.json()["data"]) == 7


def test_without_a_browser_the_browser_tests_skip_saying_how_to_install_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shutil.which", lambda name: None)
    assert not browser.browser_available()
    with pytest.raises(pytest.skip.Exception, match=r"apt-get install -y chromium chromium-driver"):
        with browser.chromium():
            pass  # pragma: no cover
