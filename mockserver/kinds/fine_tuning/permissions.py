"""Checkpoint permissions: sharing a succeeded job's checkpoint (by its `ft:…` name) with other projects.

A permission is a record only: the mock does not make the model visible in the projects it names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from mockserver.errors import NotFoundError
from mockserver.ids import IdFactory
from mockserver.kinds.fine_tuning.permission_schemas import CheckpointPermission, CheckpointPermissionDeleted


class CheckpointPermissions:
    """The permissions of one app's checkpoints, kept by the fine-tuning lifecycle (so a reset forgets them)."""

    def __init__(self, checkpoints: Callable[[str], Iterator[str]], ids: IdFactory, now: Callable[[], float]) -> None:
        # The names of the checkpoints of a project's succeeded jobs.
        self._checkpoints = checkpoints
        self._ids = ids
        self._now = now
        # By checkpoint name (`ft:…`), oldest first.
        self._by_checkpoint: dict[str, list[CheckpointPermission]] = {}

    def _checkpoint(self, project: str, checkpoint: str) -> list[CheckpointPermission]:
        """The checkpoint's permissions, if it is a checkpoint of one of the project's succeeded jobs."""
        if checkpoint in self._checkpoints(project):
            return self._by_checkpoint.setdefault(checkpoint, [])
        raise NotFoundError(
            f"No fine-tuned model checkpoint found with id '{checkpoint}'.",
            param="fine_tuned_model_checkpoint",
            code="model_not_found",
        )

    def create(self, project: str, checkpoint: str, project_ids: list[str]) -> list[CheckpointPermission]:
        """One permission per project; a project that has one already keeps it (and it is answered again)."""
        permissions = self._checkpoint(project, checkpoint)
        existing = {permission.project_id: permission for permission in permissions}
        answered: list[CheckpointPermission] = []
        for project_id in dict.fromkeys(project_ids):
            permission = existing.get(project_id)
            if permission is None:
                permission = CheckpointPermission(
                    id=self._ids.checkpoint_permission(), created_at=int(self._now()), project_id=project_id
                )
                permissions.append(permission)
            answered.append(permission)
        return answered

    def in_order(
        self, project: str, checkpoint: str, *, newest_first: bool, project_id: str | None
    ) -> Iterator[tuple[str, CheckpointPermission]]:
        permissions = self._checkpoint(project, checkpoint)
        ordered = reversed(permissions) if newest_first else iter(permissions)
        return ((p.id, p) for p in ordered if project_id is None or p.project_id == project_id)

    def delete(self, project: str, checkpoint: str, permission_id: str) -> CheckpointPermissionDeleted:
        permissions = self._checkpoint(project, checkpoint)
        for index, permission in enumerate(permissions):
            if permission.id == permission_id:
                del permissions[index]
                return CheckpointPermissionDeleted(id=permission_id)
        raise NotFoundError(
            f"No checkpoint permission found with id '{permission_id}'.", param="permission_id", code=None
        )
