"""In-memory state, partitioned by project.

Every object belongs to one project. A lookup from another project misses exactly as an unknown id does, so
parallel test workers can share one server without seeing each other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from mockserver.schemas.files import FileObject
from mockserver.schemas.models import Model

T = TypeVar("T")


class Collection(Generic[T]):
    """Objects of one kind by id, each owned by a project, iterable newest first within a project."""

    def __init__(self) -> None:
        self._owner: dict[str, str] = {}
        # Insertion order is creation order; reversed() gives newest first without sorting.
        self._by_project: dict[str, dict[str, T]] = {}

    def add(self, project: str, object_id: str, item: T) -> None:
        self._owner[object_id] = project
        self._by_project.setdefault(project, {})[object_id] = item

    def get(self, project: str, object_id: str) -> T | None:
        return self._by_project.get(project, {}).get(object_id)

    def get_any(self, object_id: str) -> tuple[str, T] | None:
        """The object and its project, whoever owns it (for the control API)."""
        project = self._owner.get(object_id)
        if project is None:
            return None
        return project, self._by_project[project][object_id]

    def remove(self, project: str, object_id: str) -> T | None:
        item = self._by_project.get(project, {}).pop(object_id, None)
        if item is not None:
            del self._owner[object_id]
        return item

    def newest_first(self, project: str) -> Iterator[tuple[str, T]]:
        return reversed(self._by_project.get(project, {}).items())

    def oldest_first(self, project: str) -> Iterator[tuple[str, T]]:
        yield from self._by_project.get(project, {}).items()

    def projects(self) -> list[str]:
        """The projects that own any of these objects (or once did), in the order they first did."""
        return list(self._by_project)

    def __len__(self) -> int:
        return len(self._owner)

    def clear(self) -> None:
        self._owner.clear()
        self._by_project.clear()


class Store:
    """What several parts of the server share: files (written by the Files API, fine-tuning and batches) and
    fine-tuned models (made by fine-tuning, served by the Models API). Each kind's objects live in its lifecycle."""

    def __init__(self) -> None:
        self.files: Collection[FileObject] = Collection()
        self.file_contents: dict[str, bytes | Callable[[], bytes]] = {}  # a callable makes them (Files.create)
        self.models: Collection[Model] = Collection()

    def clear(self) -> None:
        self.files.clear()
        self.file_contents.clear()
        self.models.clear()
