"""Permissions that share a fine-tuned model checkpoint with other projects."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from mockserver.schemas.common import RequestBody

ProjectId = Annotated[str, StringConstraints(min_length=1)]


class CreateCheckpointPermissions(RequestBody):
    project_ids: Annotated[list[ProjectId], Field(min_length=1)]


class CheckpointPermission(BaseModel):
    object: Literal["checkpoint.permission"] = "checkpoint.permission"
    id: str
    created_at: int
    project_id: str


class CheckpointPermissionDeleted(BaseModel):
    object: Literal["checkpoint.permission"] = "checkpoint.permission"
    id: str
    deleted: bool = True
