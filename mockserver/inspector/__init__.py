"""The inspector (`GET /_mock/ui`): a page, served from files in this package, that watches and drives the mock
through the control API. No build step: the files are served as they are.

The page and its assets carry no data, so they are served without the admin token (a browser cannot send an
`Authorization` header on navigation); every datum comes from `/_mock/...` JSON, which the admin token guards. The
page takes the token from a login form or the URL fragment (never the query string, which lands in logs)."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from mockserver.errors import NotFoundError

STATIC = Path(__file__).parent / "static"
TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8", ".js": "text/javascript"}
# Even if something from a request reached the page unescaped, no inline script or foreign resource would run.
HEADERS = {
    "content-security-policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    # The files change with the installed version; a few KB are cheaper to send again than a stale script.
    "cache-control": "no-cache",
}
# Read once: three small files, served on every page load.
FILES = {path.name: (path.read_bytes(), TYPES[path.suffix]) for path in STATIC.iterdir() if path.suffix in TYPES}


def _serve(name: str) -> Response:
    content, media_type = FILES[name]
    return Response(content, media_type=media_type, headers=HEADERS)


async def page(request: Request) -> Response:
    return _serve("index.html")


async def below(request: Request) -> Response:
    """An asset by name; any other path below the page (a link a user kept, `/_mock/ui/`) is the page itself."""
    name = request.path_params["path"]
    if name in FILES:
        return _serve(name)
    if "." in name:
        raise NotFoundError(f"The inspector has no file '{name}'.", code="not_found")
    return _serve("index.html")


# Full paths rather than a `Mount`, which would not match `/_mock/ui` itself; they go before the `/_mock` mount.
routes: list[BaseRoute] = [
    Route("/_mock/ui", page, methods=["GET"]),
    Route("/_mock/ui/{path:path}", below, methods=["GET"]),
]
