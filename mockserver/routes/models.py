from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mockserver.catalogue import base_model, base_models
from mockserver.errors import NotFoundError, PermissionDeniedError
from mockserver.http import answer, project, services
from mockserver.schemas.common import DeletedResponse
from mockserver.schemas.models import ModelList


def _not_found(model_id: str) -> NotFoundError:
    return NotFoundError(f"The model '{model_id}' does not exist", param="model", code="model_not_found")


async def list_models(request: Request) -> Response:
    tuned = [model for _, model in services(request).store.models.oldest_first(project(request))]
    return answer(ModelList(data=[*base_models(), *tuned]))


async def retrieve_model(request: Request) -> Response:
    model_id = request.path_params["model_id"]
    model = base_model(model_id) or services(request).store.models.get(project(request), model_id)
    if model is None:
        raise _not_found(model_id)
    return answer(model)


async def delete_model(request: Request) -> Response:
    """Only fine-tuned models can be deleted, and only by their own project."""
    model_id = request.path_params["model_id"]
    if base_model(model_id) is not None:
        raise PermissionDeniedError(
            f"You do not have permission to delete model {model_id}: only fine-tuned models can be deleted.",
            param="model",
            code="model_not_deletable",
        )
    if services(request).store.models.remove(project(request), model_id) is None:
        raise _not_found(model_id)
    return answer(DeletedResponse(id=model_id, object="model", deleted=True))


routes: list[Route] = [
    Route("/models", list_models, methods=["GET"]),
    # Fine-tuned model ids contain colons, so the id is matched as a path, not a segment.
    Route("/models/{model_id:path}", retrieve_model, methods=["GET"]),
    Route("/models/{model_id:path}", delete_model, methods=["DELETE"]),
]
