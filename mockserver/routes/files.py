from __future__ import annotations

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mockserver.errors import InvalidRequestError
from mockserver.http import answer, answer_kept, answer_kept_list, project, services
from mockserver.pagination import cursor_list, read_order
from mockserver.schemas.common import DeletedResponse
from mockserver.schemas.files import UPLOAD_PURPOSES
from mockserver.validation import ascii_integer

_FORM_FIELDS = {"file", "purpose", "expires_after[anchor]", "expires_after[seconds]"}


def _expiry(anchor: str | None, seconds: str | None) -> int | None:
    if anchor is None and seconds is None:
        return None
    if anchor != "created_at":
        raise InvalidRequestError(
            f"Invalid value: '{anchor}'. Supported values are: 'created_at'.",
            param="expires_after.anchor",
            code="invalid_value",
        )
    value = None if seconds is None else ascii_integer(seconds)
    if value is None:
        raise InvalidRequestError(
            f"Invalid type for 'expires_after.seconds': expected an integer, but got '{seconds}' instead.",
            param="expires_after.seconds",
            code="invalid_type",
        )
    if not 3600 <= value <= 2592000:
        raise InvalidRequestError(
            f"Invalid 'expires_after.seconds': expected a value between 3600 and 2592000, but got {value} instead.",
            param="expires_after.seconds",
            code="invalid_value",
        )
    return value


async def create_file(request: Request) -> Response:
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data"):
        raise InvalidRequestError(
            f"Invalid Content-Type header ({content_type or 'none'}), expected multipart/form-data.",
            code="invalid_content_type",
        )
    async with request.form() as form:
        for name in form:
            if name not in _FORM_FIELDS:
                raise InvalidRequestError(f"Unknown parameter: '{name}'.", param=name, code="unknown_parameter")
        upload, purpose = form.get("file"), form.get("purpose")
        if not isinstance(upload, UploadFile):
            raise InvalidRequestError(
                "Missing required parameter: 'file'.", param="file", code="missing_required_parameter"
            )
        if not isinstance(purpose, str):
            raise InvalidRequestError(
                "Missing required parameter: 'purpose'.", param="purpose", code="missing_required_parameter"
            )
        if purpose not in UPLOAD_PURPOSES:
            supported = ", ".join(f"'{p}'" for p in UPLOAD_PURPOSES)
            raise InvalidRequestError(
                f"Invalid value: '{purpose}'. Supported values are: {supported}.", param="purpose", code="invalid_value"
            )
        anchor, seconds = form.get("expires_after[anchor]"), form.get("expires_after[seconds]")
        expires_after = _expiry(
            anchor if isinstance(anchor, str) else None, seconds if isinstance(seconds, str) else None
        )
        filename = upload.filename or "file"
        svc = services(request)
        svc.files.check_upload(filename, purpose)
        content = await upload.read()
    file = svc.files.create(
        project(request),
        filename=filename,
        purpose=purpose,  # type: ignore[arg-type]  # checked against UPLOAD_PURPOSES above
        content=content,
        at=svc.clock.now(),
        expires_after=expires_after,
    )
    return answer(file)


async def list_files(request: Request) -> Response:
    query = request.query_params
    order = read_order(query, default="desc")
    items = services(request).files.listed(project(request), newest_first=order == "desc", purpose=query.get("purpose"))
    return answer_kept_list(request, cursor_list(items, query, default_limit=10000, max_limit=10000))


async def retrieve_file(request: Request) -> Response:
    return answer_kept(request, services(request).files.get(project(request), request.path_params["file_id"]))


async def file_content(request: Request) -> Response:
    content = services(request).files.content(project(request), request.path_params["file_id"])
    return Response(content, media_type="application/octet-stream")


async def delete_file(request: Request) -> Response:
    file = services(request).files.delete(project(request), request.path_params["file_id"])
    return answer(DeletedResponse(id=file.id, object="file", deleted=True))


routes: list[Route] = [
    Route("/files", create_file, methods=["POST"]),
    Route("/files", list_files, methods=["GET"]),
    Route("/files/{file_id}", retrieve_file, methods=["GET"]),
    Route("/files/{file_id}", delete_file, methods=["DELETE"]),
    Route("/files/{file_id}/content", file_content, methods=["GET"]),
]
