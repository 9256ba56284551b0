"""`GET /_mock/reports/polling`: how the client polled each object, from the request journal (`?project=` to keep
one project's requests)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from mockserver.http import answer, services
from mockserver.polling import polling_report
from mockserver.schemas.control import JournalEntry


async def polling(request: Request) -> Response:
    svc = services(request)
    project = request.query_params.get("project")

    def keep(entry: JournalEntry) -> bool:
        return project is None or entry.project == project

    return answer(polling_report(svc.journal.newest_first(), svc.endings, svc.clock.now(), keep=keep))


routes: list[BaseRoute] = [Route("/reports/polling", polling, methods=["GET"])]
