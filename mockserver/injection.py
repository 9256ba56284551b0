"""Doing what a fault rule says to a request, at the ASGI level: wait, answer the error, or drop the connection
mid-response. The rules themselves, and which request a rule matches, are `mockserver.faults`."""

from __future__ import annotations

from starlette.types import Receive, Scope, Send

from mockserver import clock as clocks
from mockserver.errors import APIError
from mockserver.faults import Fault
from mockserver.handlers import SERVER_ERROR_MESSAGE, error_response

RATE_LIMIT_MESSAGE = (
    "Rate limit reached for requests in organization {org} on requests per min (RPM): Limit 3, Used 3, Requested 1. "
    "Please try again in {wait}. Visit https://platform.openai.com/account/rate-limits to learn more."
)
OVERLOADED_MESSAGE = "The engine is currently overloaded, please try again later."


def _error(fault: Fault, organization: str) -> APIError:
    status = fault.status or 500
    headers: dict[str, str] = {}
    if fault.retry_after is not None:
        headers = {"retry-after": f"{fault.retry_after:g}", "retry-after-ms": f"{fault.retry_after * 1000:g}"}
    if status == 429:
        wait = f"{fault.retry_after:g}s" if fault.retry_after is not None else "1s"
        message = RATE_LIMIT_MESSAGE.format(org=organization, wait=wait)
        return APIError(message, status_code=429, type="requests", code="rate_limit_exceeded", headers=headers)
    if status == 503:
        return APIError(OVERLOADED_MESSAGE, status_code=503, type="server_error", headers=headers)
    if status >= 500:
        return APIError(SERVER_ERROR_MESSAGE.format(""), status_code=status, type="server_error", headers=headers)
    return APIError(f"Injected fault: status {status}.", status_code=status, headers=headers, code="injected_fault")


async def inject(fault: Fault, organization: str, scope: Scope, receive: Receive, send: Send) -> bool:
    """Do what `fault` says to this request; False when the request should then be served as usual (a delay)."""
    if fault.delay:
        await clocks.sleep(fault.delay)
    if fault.drop:
        # Headers promising a body that never comes: the client sees the connection end mid-response.
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"1024")]})
        await send({"type": "http.response.body", "body": b"{", "more_body": True})
        return True
    if fault.status is not None:
        await error_response(_error(fault, organization))(scope, receive, send)
        return True
    return False
