"""The OpenAI error envelope, raised from anywhere and rendered by exactly one handler.

APIError                      any status; the base
├── InvalidRequestError       400 invalid_request_error
├── AuthenticationError       401
├── PermissionDeniedError     403
├── NotFoundError             404
├── MethodNotAllowedError     405
├── RequestTooLargeError      413
└── InternalServerError       500 server_error (only `handlers.unexpected_error`, for a bug, raises it)
"""

from __future__ import annotations

import http


class APIError(Exception):
    """An error answered as `{"error": {"message", "type", "param", "code"}}` with `status_code`."""

    status_code: int = 400
    type: str = "invalid_request_error"

    def __init__(
        self,
        message: str,
        *,
        param: str | None = None,
        code: str | None = None,
        status_code: int | None = None,
        type: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.param = param
        self.code = code
        if status_code is not None:
            self.status_code = status_code
        if type is not None:
            self.type = type
        self.headers = headers or {}

    def __repr__(self) -> str:
        phrase = http.HTTPStatus(self.status_code).phrase
        return f"{self.__class__.__name__}({self.status_code} {phrase}, message={self.message!r}, code={self.code!r})"


class InvalidRequestError(APIError):
    status_code = 400


class AuthenticationError(APIError):
    status_code = 401


class PermissionDeniedError(APIError):
    status_code = 403


class NotFoundError(APIError):
    status_code = 404


class MethodNotAllowedError(APIError):
    status_code = 405


class RequestTooLargeError(APIError):
    status_code = 413


class InternalServerError(APIError):
    status_code = 500
    type = "server_error"
