"""The one place errors become responses: every failure, expected or not, leaves as the OpenAI envelope."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

from mockserver.errors import APIError, InternalServerError, MethodNotAllowedError, NotFoundError
from mockserver.schemas.common import ErrorBody, ErrorResponse

if TYPE_CHECKING:  # services import the lifecycles, which import this module
    from mockserver.services import Services

logger = logging.getLogger(__name__)

SERVER_ERROR_MESSAGE = (
    "The server had an error processing your request. Sorry about that! You can retry your request, or contact us "
    "through our help center at help.openai.com if you keep seeing this error. (Please include the request ID {} in "
    "your email.)"
)


def error_response(exc: APIError) -> Response:
    body = ErrorResponse(error=ErrorBody(message=exc.message, type=exc.type, param=exc.param, code=exc.code))
    return Response(
        body.model_dump_json(), status_code=exc.status_code, headers=exc.headers, media_type="application/json"
    )


async def on_api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, APIError)
    return error_response(exc)


async def on_http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own errors: unknown routes, wrong methods, unreadable multipart bodies."""
    assert isinstance(exc, HTTPException)
    where = f"{request.method} {request.url.path}"
    if exc.status_code == 404:
        return error_response(
            NotFoundError(
                f"Unknown request URL: {where}. Please check the URL for typos, or see the docs at "
                "https://platform.openai.com/docs/api-reference/.",
                code="unknown_url",
            )
        )
    if exc.status_code == 405:
        error = MethodNotAllowedError(
            f"Method not allowed: {where}. Allowed: {(exc.headers or {}).get('Allow', 'none')}.",
            code="method_not_allowed",
            headers=dict(exc.headers or {}),
        )
        return error_response(error)
    return error_response(APIError(str(exc.detail), status_code=exc.status_code, headers=dict(exc.headers or {})))


def unexpected_error(services: Services, scope: Scope, request_id: str, exc: Exception) -> Response:
    """A bug in the mock: logged once, kept for `MockServer.check()`, answered with the real 500 envelope (never a
    traceback in the body)."""
    services.errors.append(exc)
    logger.error("unhandled error on %s %s (request %s)", scope["method"], scope["path"], request_id, exc_info=exc)
    return error_response(InternalServerError(SERVER_ERROR_MESSAGE.format(request_id)))
