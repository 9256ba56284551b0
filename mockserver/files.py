"""The Files API's behaviour: uploads, the files the server writes itself, lookups and deletion."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from mockserver.errors import InvalidRequestError, NotFoundError
from mockserver.ids import IdFactory
from mockserver.schemas.common import kept
from mockserver.schemas.files import FileObject, FilePurpose
from mockserver.store import Store

# Files uploaded for batches expire after 30 days unless told otherwise (the spec's FileExpirationAfter).
BATCH_FILE_TTL = 30 * 24 * 3600
_JSONL_ONLY = {"fine-tune": "Fine-Tuning", "batch": "Batch"}


class Files:
    def __init__(self, store: Store, ids: IdFactory) -> None:
        self._store = store
        self._ids = ids

    def check_upload(self, filename: str, purpose: str) -> None:
        api = _JSONL_ONLY.get(purpose)
        if api is not None and not filename.lower().endswith(".jsonl"):
            raise InvalidRequestError(f"Invalid file format for {api} API. Must be .jsonl", param="file")

    def create(
        self,
        project: str,
        *,
        filename: str,
        purpose: FilePurpose,
        content: bytes | Callable[[], bytes],
        at: float,
        expires_after: int | None = None,
        file_id: str | None = None,
    ) -> FileObject:
        """`content` is the bytes, or what makes them on each download: a file the server writes itself (a job's
        `step_metrics.csv`) need not be kept when it can be made again, the same each time."""
        if expires_after is None and purpose == "batch":
            expires_after = BATCH_FILE_TTL
        created_at = int(at)
        file = kept(
            FileObject(
                id=file_id or self._ids.file(),
                bytes=len(content if isinstance(content, bytes) else content()),
                created_at=created_at,
                filename=filename,
                purpose=purpose,
                expires_at=None if expires_after is None else created_at + expires_after,
            )
        )
        self._store.files.add(project, file.id, file)
        self._store.file_contents[file.id] = content
        return file

    def find(self, project: str, file_id: str) -> FileObject | None:
        """The project's file, or None (for callers that refuse an unknown file with an error of their own)."""
        return self._store.files.get(project, file_id)

    def listed(self, project: str, *, newest_first: bool, purpose: str | None) -> Iterator[tuple[str, FileObject]]:
        """The project's files in list order, of one purpose or all."""
        files = self._store.files
        for file_id, file in files.newest_first(project) if newest_first else files.oldest_first(project):
            if not purpose or file.purpose == purpose:
                yield file_id, file

    def get(self, project: str, file_id: str) -> FileObject:
        file = self._store.files.get(project, file_id)
        if file is None:
            raise NotFoundError(f"No such File object: {file_id}", param="id")
        return file

    def content(self, project: str, file_id: str) -> bytes:
        content = self._store.file_contents[self.get(project, file_id).id]
        return content if isinstance(content, bytes) else content()

    def delete(self, project: str, file_id: str) -> FileObject:
        file = self.get(project, file_id)
        self._store.files.remove(project, file_id)
        self._store.file_contents.pop(file_id, None)
        return file
