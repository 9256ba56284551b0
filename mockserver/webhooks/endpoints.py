"""Webhook endpoints, in one store whatever configured them: the command line (`--webhook-url`, kept across
resets), the control API (`/_mock/webhooks/endpoints`, mock-only options), and the real webhook endpoints API
(`/v1/webhook_endpoints`, as production configures them: owned by a project, told apart by `source`)."""

from __future__ import annotations

import random
from collections.abc import Iterator

from mockserver.clock import Clock
from mockserver.errors import NotFoundError
from mockserver.ids import IdFactory
from mockserver.schemas.webhook_endpoints import CreateWebhookEndpoint, UpdateWebhookEndpoint
from mockserver.schemas.webhooks import CreateEndpoint, PreviousSecret, UpdateEndpoint, WebhookEndpoint
from mockserver.settings import Settings
from mockserver.webhooks.event_types import TRANSITION_EVENT
from mockserver.webhooks.signing import generate_secret

# `rotate_secret(keep_old_secret_active_for_24_hours=True)`: how long the old secret keeps signing (server clock).
KEEP_OLD_SECRET_SECONDS = 24 * 3600


class Endpoints:
    def __init__(self, settings: Settings, ids: IdFactory, clock: Clock) -> None:
        self._ids = ids
        self._clock = clock
        # One secret for every --webhook-url endpoint: given, or generated once and kept for the server's life.
        rng = random.Random(settings.seed) if settings.seed is not None else None
        self.cli_secret = settings.webhook_secret or generate_secret(rng)
        self.cli_secret_generated = settings.webhook_secret is None and bool(settings.webhook_urls)
        self._cli_urls = settings.webhook_urls
        self._cli_all_transitions = settings.webhook_all_transitions
        self._items: dict[str, WebhookEndpoint] = {}
        self.reset()

    def reset(self) -> None:
        """Forget endpoints added through the API; the command line's come back as configured."""
        self._items.clear()
        for index, url in enumerate(self._cli_urls, start=1):
            endpoint = WebhookEndpoint(
                id=f"we_cli_{index}", url=url, secret=self.cli_secret, events=None, project=None, source="cli",
                all_transitions=self._cli_all_transitions, created_at=self._stamp(), updated_at=self._stamp(),
            )  # fmt: skip
            self._items[endpoint.id] = endpoint

    def _stamp(self) -> int:
        return int(self._clock.now())

    def create(self, request: CreateEndpoint) -> WebhookEndpoint:
        """A control-API endpoint: any project's events, or one's; every event type, or some; a chosen secret."""
        return self._add(
            WebhookEndpoint(
                id=self._ids.webhook_endpoint(),
                url=request.url,
                secret=request.secret or generate_secret(),
                events=request.events,
                project=request.project,
                enabled=request.enabled,
                chaos=request.chaos,
                all_transitions=request.all_transitions,
                created_at=self._stamp(),
                updated_at=self._stamp(),
            )
        )

    def create_in_project(
        self, project: str, request: CreateWebhookEndpoint, *, endpoint_id: str | None = None
    ) -> WebhookEndpoint:
        """`POST /v1/webhook_endpoints`: the project's events of the listed types, signed with a new secret."""
        return self._add(
            WebhookEndpoint(
                id=endpoint_id or self._ids.webhook_endpoint(),
                url=request.url,
                secret=generate_secret(),
                events=list(dict.fromkeys(request.event_types)),
                project=project,
                source="openai",
                name=request.name,
                created_at=self._stamp(),
                updated_at=self._stamp(),
            )
        )

    def _add(self, endpoint: WebhookEndpoint) -> WebhookEndpoint:
        self._items[endpoint.id] = endpoint
        return endpoint

    def get(self, endpoint_id: str) -> WebhookEndpoint:
        endpoint = self._items.get(endpoint_id)
        if endpoint is None:
            raise NotFoundError(
                f"No such webhook endpoint: {endpoint_id}", param="endpoint_id", code="endpoint_not_found"
            )
        return endpoint

    def find(self, endpoint_id: str) -> WebhookEndpoint | None:
        return self._items.get(endpoint_id)

    def of_project(self, project: str, endpoint_id: str) -> WebhookEndpoint:
        """An endpoint of the real API's, as its project sees it: another project's is as unknown as a wrong id."""
        endpoint = self._items.get(endpoint_id)
        if endpoint is None or endpoint.source != "openai" or endpoint.project != project:
            raise NotFoundError(
                f"No webhook endpoint found with id '{endpoint_id}'.", param="webhook_endpoint_id", code=None
            )
        return endpoint

    def newest_first(self, project: str) -> Iterator[tuple[str, WebhookEndpoint]]:
        """The project's endpoints of the real API, as `GET /v1/webhook_endpoints` lists them."""
        for endpoint in reversed(self._items.values()):
            if endpoint.source == "openai" and endpoint.project == project:
                yield endpoint.id, endpoint

    def reconfigure(self, project: str, endpoint_id: str, request: UpdateWebhookEndpoint) -> WebhookEndpoint:
        """`POST /v1/webhook_endpoints/{id}`; `updated_at` moves only when something really changed."""
        endpoint = self.of_project(project, endpoint_id)
        changes = {
            "url": request.url,
            "name": request.name,
            "events": None if request.event_types is None else list(dict.fromkeys(request.event_types)),
        }
        changed = {key: value for key, value in changes.items() if value is not None}
        if any(getattr(endpoint, key) != value for key, value in changed.items()):
            for key, value in changed.items():
                setattr(endpoint, key, value)
            endpoint.updated_at = self._stamp()
        return endpoint

    def remove(self, project: str, endpoint_id: str) -> WebhookEndpoint:
        endpoint = self.of_project(project, endpoint_id)
        del self._items[endpoint_id]
        return endpoint

    def all(self) -> list[WebhookEndpoint]:
        return list(self._items.values())

    def update(self, endpoint_id: str, request: UpdateEndpoint) -> WebhookEndpoint:
        endpoint = self.get(endpoint_id)
        if request.url is not None:
            endpoint.url = request.url
        if "events" in request.model_fields_set:
            endpoint.events = request.events
        if "chaos" in request.model_fields_set:
            endpoint.chaos = request.chaos
        if request.all_transitions is not None:
            endpoint.all_transitions = request.all_transitions
        if request.enabled is not None:
            endpoint.enabled = request.enabled
            endpoint.disabled_reason = None if request.enabled else "disabled through the control API"
        return endpoint

    def delete(self, endpoint_id: str) -> WebhookEndpoint:
        endpoint = self.get(endpoint_id)
        del self._items[endpoint_id]
        return endpoint

    def rotate(self, endpoint: WebhookEndpoint, secret: str | None, keep_previous_for: float) -> WebhookEndpoint:
        """A new secret; the old one keeps signing for `keep_previous_for` seconds of server time (0: none do)."""
        now = self._clock.now()
        if keep_previous_for > 0:
            kept = [p for p in endpoint.previous_secrets if p.expires_at > now]
            endpoint.previous_secrets = [PreviousSecret(secret=endpoint.secret, expires_at=now + keep_previous_for)]
            endpoint.previous_secrets += kept
        else:
            endpoint.previous_secrets = []
        endpoint.secret = secret or generate_secret()
        endpoint.updated_at = self._stamp()
        return endpoint

    def disable(self, endpoint_id: str, reason: str) -> None:
        endpoint = self._items.get(endpoint_id)
        if endpoint is not None:
            endpoint.enabled = False
            endpoint.disabled_reason = reason

    def matching(self, event_type: str, project: str) -> list[WebhookEndpoint]:
        """The enabled endpoints that take this type of event from this project (`mock.transition`: those that
        asked for it, whatever their event types)."""
        if not self._items:  # most servers in a test suite have none, and every state change asks
            return []
        transition = event_type == TRANSITION_EVENT
        return [
            endpoint
            for endpoint in self._items.values()
            if endpoint.enabled
            and (endpoint.all_transitions if transition else endpoint.events is None or event_type in endpoint.events)
            and (endpoint.project is None or endpoint.project == project)
        ]

    def want_transitions(self, project: str) -> bool:
        """Whether any endpoint takes `mock.transition` events of this project (else none is made)."""
        return bool(self._items) and any(
            endpoint.all_transitions and endpoint.enabled and endpoint.project in (None, project)
            for endpoint in self._items.values()
        )

    @staticmethod
    def active_secrets(endpoint: WebhookEndpoint, now: float) -> list[str]:
        return [endpoint.secret, *(p.secret for p in endpoint.previous_secrets if p.expires_at > now)]
