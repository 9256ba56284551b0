"""Webhook endpoints: those the command line configures (kept across resets) and those the control API adds."""

from __future__ import annotations

import random

from mockserver.errors import NotFoundError
from mockserver.ids import IdFactory
from mockserver.schemas.webhooks import CreateEndpoint, PreviousSecret, UpdateEndpoint, WebhookEndpoint
from mockserver.settings import Settings
from mockserver.webhooks.signing import generate_secret


class Endpoints:
    def __init__(self, settings: Settings, ids: IdFactory) -> None:
        self._ids = ids
        # One secret for every --webhook-url endpoint: given, or generated once and kept for the server's life.
        rng = random.Random(settings.seed) if settings.seed is not None else None
        self.cli_secret = settings.webhook_secret or generate_secret(rng)
        self.cli_secret_generated = settings.webhook_secret is None and bool(settings.webhook_urls)
        self._cli_urls = settings.webhook_urls
        self._items: dict[str, WebhookEndpoint] = {}
        self.reset()

    def reset(self) -> None:
        """Forget endpoints added through the API; the command line's come back as configured."""
        self._items.clear()
        for index, url in enumerate(self._cli_urls, start=1):
            endpoint = WebhookEndpoint(
                id=f"we_cli_{index}", url=url, secret=self.cli_secret, events=None, project=None, source="cli"
            )
            self._items[endpoint.id] = endpoint

    def create(self, request: CreateEndpoint) -> WebhookEndpoint:
        endpoint = WebhookEndpoint(
            id=self._ids.webhook_endpoint(),
            url=request.url,
            secret=request.secret or generate_secret(),
            events=request.events,
            project=request.project,
            enabled=request.enabled,
        )
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

    def all(self) -> list[WebhookEndpoint]:
        return list(self._items.values())

    def update(self, endpoint_id: str, request: UpdateEndpoint) -> WebhookEndpoint:
        endpoint = self.get(endpoint_id)
        if request.url is not None:
            endpoint.url = request.url
        if "events" in request.model_fields_set:
            endpoint.events = request.events
        if request.enabled is not None:
            endpoint.enabled = request.enabled
            endpoint.disabled_reason = None if request.enabled else "disabled through the control API"
        return endpoint

    def delete(self, endpoint_id: str) -> WebhookEndpoint:
        endpoint = self.get(endpoint_id)
        del self._items[endpoint_id]
        return endpoint

    def rotate(self, endpoint_id: str, secret: str | None, keep_previous_for: float, now: float) -> WebhookEndpoint:
        endpoint = self.get(endpoint_id)
        endpoint.previous_secrets = [p for p in endpoint.previous_secrets if p.expires_at > now]
        if keep_previous_for > 0:
            endpoint.previous_secrets.insert(
                0, PreviousSecret(secret=endpoint.secret, expires_at=now + keep_previous_for)
            )
        endpoint.secret = secret or generate_secret()
        return endpoint

    def disable(self, endpoint_id: str, reason: str) -> None:
        endpoint = self._items.get(endpoint_id)
        if endpoint is not None:
            endpoint.enabled = False
            endpoint.disabled_reason = reason

    def matching(self, event_type: str, project: str) -> list[WebhookEndpoint]:
        """The enabled endpoints that take this type of event from this project."""
        return [
            endpoint
            for endpoint in self._items.values()
            if endpoint.enabled
            and (endpoint.events is None or event_type in endpoint.events)
            and (endpoint.project is None or endpoint.project == project)
        ]

    @staticmethod
    def active_secrets(endpoint: WebhookEndpoint, now: float) -> list[str]:
        return [endpoint.secret, *(p.secret for p in endpoint.previous_secrets if p.expires_at > now)]
