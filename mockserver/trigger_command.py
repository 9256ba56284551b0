"""`mockserver trigger TYPE`: ask a running server for one event of TYPE (like `stripe trigger`), wait for its
deliveries' first attempts, and print the event and what each endpoint answered."""

from __future__ import annotations

import argparse
import sys
from typing import Any

import httpx

from mockserver.urls import redact_url
from mockserver.webhooks.event_types import EVENT_TYPES, check_event_type

DEFAULT_URL = "http://127.0.0.1:8000"


class TriggerFailed(Exception):
    """What to tell the user, who gets exit status 2."""


def add_parser(sub: Any) -> None:
    parser = sub.add_parser(
        "trigger", help="make a running server emit one webhook event of TYPE and deliver it to its endpoints"
    )
    parser.add_argument("type", metavar="TYPE", help=f"an event type, e.g. {EVENT_TYPES[0]}")
    parser.add_argument("--url", default=DEFAULT_URL, help="the running server (default: %(default)s)")
    parser.add_argument("--admin-token", help="the server's --admin-token, if it has one")
    parser.add_argument("--project", help="the project the object and event belong to (default: the default one)")


def _call(client: httpx.Client, method: str, path: str, **kwargs: Any) -> Any:
    try:
        response = client.request(method, path, **kwargs)
    except httpx.TransportError as exc:
        raise TriggerFailed(
            f"no mockserver answers at {client.base_url} ({type(exc).__name__}): start one with `mockserver serve`, "
            "or pass --url"
        ) from None
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code >= 400:
        error = body.get("error") if isinstance(body, dict) else None
        message = error.get("message") if isinstance(error, dict) else response.text[:200]
        raise TriggerFailed(f"{method} {path} answered {response.status_code}: {message}")
    if not isinstance(body, dict):
        raise TriggerFailed(f"{method} {path} did not answer JSON: is {client.base_url} a mockserver?")
    return body


def _describe(attempt: dict[str, Any]) -> str:
    response = attempt.get("response")
    outcome = f"answered {response['status']}" if response else f"failed: {attempt.get('error')}"
    return f"  {attempt['webhook_id']} to {attempt['endpoint_id']} ({redact_url(attempt['url'])}): {outcome}"


def trigger(url: str, event_type: str, *, admin_token: str | None, project: str | None) -> list[str]:
    """The lines to print for one triggered event."""
    try:
        check_event_type(event_type)
    except ValueError as exc:
        raise TriggerFailed(str(exc)) from None
    headers = {"Authorization": f"Bearer {admin_token}"} if admin_token else {}
    body: dict[str, Any] = {"type": event_type} | ({"project": project} if project else {})
    with httpx.Client(base_url=url.rstrip("/"), headers=headers, timeout=30.0) as client:
        answer = _call(client, "POST", "/_mock/webhooks/trigger", json=body)
        event = answer["event"]
        # The first attempt of every delivery has been made once this answers (retries wait on the server's clock).
        _call(client, "POST", "/_mock/webhooks/settle")
        attempts = _call(client, "GET", "/_mock/webhooks/deliveries", params={"event_id": event["id"]})["data"]
    about = "a stand-in (no object behind it)" if answer["stand_in"] else answer["object_id"]
    lines = [f"triggered {event['type']}: event {event['id']} about {about} in {event['project']}"]
    first = [attempt for attempt in reversed(attempts) if attempt["attempt"] == 1]
    if not first:
        lines.append("  no webhook endpoint takes this event: nothing was delivered")
    lines += [_describe(attempt) for attempt in first]
    return lines


def run(args: argparse.Namespace) -> int:
    try:
        lines = trigger(args.url, args.type, admin_token=args.admin_token, project=args.project)
    except TriggerFailed as exc:
        sys.stderr.write(f"mockserver trigger: error: {exc}\n")
        return 2
    sys.stdout.write("".join(line + "\n" for line in lines))
    return 0
