from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from mockserver.schemas.common import Wire


class Model(Wire):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str


class ModelList(BaseModel):
    """`GET /models` is never paginated, so its list has no `has_more`."""

    object: Literal["list"] = "list"
    data: list[Model]
