"""`GET /_mock/objects`: every object of every kind, in every project, with its transitions (what the inspector
lists). Derived from the registered kinds: a new kind shows up here without a line of its own."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from mockserver.http import answer, services
from mockserver.kinds import KINDS
from mockserver.kinds.kind import Kind
from mockserver.schemas.common import ListResponse
from mockserver.schemas.control import MockObject, TimelineStep


def _reachable(kind: Kind, status: str) -> list[str]:
    machine = kind.machine
    return [state for state in machine.states if machine.path(status, state) is not None]


async def list_objects(request: Request) -> Response:
    """`?kind=` (a kind's name) and `?project=` narrow the list; newest first within each kind and project."""
    svc = services(request)
    wanted_kind, wanted_project = request.query_params.get("kind"), request.query_params.get("project")
    # Many objects share a status: each (kind, status) pair's reachable statuses are worked out once per request.
    reachable: dict[tuple[str, str], list[str]] = {}
    listed: list[MockObject] = []
    for kind in KINDS:
        if wanted_kind is not None and kind.name != wanted_kind:
            continue
        collection = svc.lifecycles[kind.name].objects
        for project in collection.projects():
            if wanted_project is not None and project != wanted_project:
                continue
            for object_id, obj in collection.newest_first(project):
                status = str(obj.status)
                key = (kind.name, status)
                if key not in reachable:
                    reachable[key] = _reachable(kind, status)
                listed.append(
                    MockObject(
                        kind=kind.name,
                        object=kind.object,
                        id=object_id,
                        project=project,
                        status=status,
                        created_at=getattr(obj, "created_at", None),
                        metadata=getattr(obj, "metadata", None),
                        reachable=reachable[key],
                        timeline=[
                            TimelineStep(from_=step.source, to=step.target, at=step.at)
                            for step in svc.timelines.of(object_id)
                        ],
                    )
                )
    return answer(ListResponse[MockObject](data=listed, has_more=False))


routes: list[BaseRoute] = [Route("/objects", list_objects, methods=["GET"])]
