"""Webhook URLs: checked completely before they are accepted, and never logged with the secrets they may carry.

A URL is the operator's input like any other: a port of 99999 used to pass here and then fail every delivery with
an OverflowError. And it may hold credentials (`https://user:pass@host/`, `?token=…`), which belong to the receiver,
not to CI logs: every URL the mock logs goes through `redact_url`, and so do those httpx logs at INFO.
"""

from __future__ import annotations

import logging
from urllib.parse import SplitResult, urlsplit, urlunsplit

import httpx

MASK = "***"


def check_http_url(url: str) -> str:
    """Accept only absolute http(s) URLs with a host and a port in 1-65535, and nothing httpx cannot send to."""
    shown = redact_url(url)
    if any(char.isspace() or ord(char) < 32 or ord(char) == 127 for char in url):
        raise ValueError(f"a URL cannot contain whitespace or control characters, but got '{shown}'")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"expected an http or https URL, but got '{shown}'")
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        raise ValueError(f"the port must be within 1-65535, but got '{shown}'")
    try:
        httpx.URL(url)
    except (httpx.InvalidURL, ValueError) as exc:
        raise ValueError(f"'{shown}' is not a valid URL ({exc})") from None
    return url


def redact_url(url: str | httpx.URL) -> str:
    """The URL with its password and every query value masked; the rest, which says where it goes, kept."""
    try:
        parts = urlsplit(str(url))
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return "<unparseable URL>"
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    if parts.username is not None:
        netloc = f"{parts.username}{':' + MASK if parts.password is not None else ''}@{netloc}"
    query = "&".join(
        f"{name}={MASK}" if sep else name for name, sep, _ in (item.partition("=") for item in parts.query.split("&"))
    ) if parts.query else ""  # fmt: skip
    return urlunsplit(SplitResult(parts.scheme, netloc, parts.path, query, ""))


class RedactUrls(logging.Filter):
    """On httpx's logger: its INFO line for each request quotes the full URL, credentials included."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact_url(arg) if isinstance(arg, httpx.URL) else arg for arg in record.args)
        return True


def redact_httpx_logs() -> None:
    """Install `RedactUrls` on httpx's logger, once per process."""
    logger = logging.getLogger("httpx")
    if not any(isinstance(existing, RedactUrls) for existing in logger.filters):
        logger.addFilter(RedactUrls())
