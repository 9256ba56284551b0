"""Checkpoint permissions: sharing a succeeded job's checkpoint (by its `ft:…` name) with other projects.

A permission is a record only: the mock does not make the model visible in the projects it names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from mockserver.errors import NotFoundError
from mockserver.ids import IdFactory
from mockserver.schemas.checkpoint_permissions import CheckpointPermission, CheckpointPermissionDeleted
from mockserver.store import Store


class CheckpointPermissions:
    def __init__(self, store: Store, ids: IdFactory, now: Callable[[], float]) -> None:
        self._store = store
        self._ids = ids
        self._now = now

    def _checkpoint(self, project: str, checkpoint: str) -> list[CheckpointPermission]:
        """The checkpoint's permissions, if it is a checkpoint of one of the project's succeeded jobs."""
        for job_id, job in self._store.fine_tuning_jobs.newest_first(project):
            if job.status != "succeeded":
                continue
            if any(c.fine_tuned_model_checkpoint == checkpoint for c in self._store.job_checkpoints.get(job_id, ())):
                return self._store.checkpoint_permissions.setdefault(checkpoint, [])
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
