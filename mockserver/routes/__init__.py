"""The OpenAI surface: every resource's routes at each URL style's prefix, in one table: `/v1` (OpenAI), `/openai/v1`
(Azure v1) and `/openai` (Azure's classic, dated surface, which `AzureOpenAI(azure_endpoint=...)` calls).

One flat table rather than a `Mount` per prefix: a mount is a regex, a child scope and a router of its own on every
request, and the envelope, not the mount, tells the styles apart (for the key check and `api-version`). Azure's classic
surface puts `/deployments/{name}` only before inference routes, which the mock does not serve, so its resources sit
right under `/openai`.
"""

from __future__ import annotations

from starlette.routing import Route

from mockserver.kinds import KINDS
from mockserver.routes import files, models, webhook_endpoints
from mockserver.routing import RouteTable

PREFIXES = ("/v1", "/openai/v1", "/openai")

resource_routes: list[Route] = [
    *files.routes,
    *(route for kind in KINDS for route in kind.routes),
    *models.routes,
    *webhook_endpoints.routes,
]

# Built once: routes hold no state of an app's, so every app serves the same table.
table = RouteTable(
    [
        Route(prefix + route.path, route.endpoint, methods=route.methods, name=route.name)
        for prefix in PREFIXES
        for route in resource_routes
    ],
    prefixes=PREFIXES,
)
