"""The OpenAI surface, mounted at `/v1` and `/openai/v1`."""

from __future__ import annotations

from starlette.routing import BaseRoute

from mockserver.routes import batches, evals, files, fine_tuning, models
from mockserver.routing import RouteTable

table = RouteTable([*files.routes, *fine_tuning.routes, *batches.routes, *evals.routes, *models.routes])
routes: list[BaseRoute] = [table]
