"""Server configuration: what the CLI flags (and `MOCKSERVER_*` variables) set, also usable from Python."""

from __future__ import annotations

import base64
import binascii
import math
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from mockserver.auth import parse_api_key
from mockserver.examples import fixtures_path
from mockserver.kinds import DEFAULT_PHASES, SCENARIOS
from mockserver.schemas.chaos import Chaos
from mockserver.stack import HttpChoice, LoopChoice, Stack
from mockserver.urls import check_http_url

# Seconds between a failed delivery attempt and the next (Standard Webhooks' schedule, about 75 hours in all, matching
# OpenAI's "retried with exponential backoff for up to 72 hours").
DEFAULT_RETRY_SCHEDULE: tuple[float, ...] = (5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400)


def check_webhook_secret(secret: str) -> str:
    """Accept only `whsec_<base64>`: the SDK and standardwebhooks derive the same key from nothing else."""
    if not secret.startswith("whsec_"):
        raise ValueError("a webhook secret must look like whsec_<base64>, e.g. one printed by `mockserver serve`")
    try:
        key = base64.b64decode(secret.removeprefix("whsec_"), validate=True)
    except binascii.Error:
        raise ValueError("the part of a webhook secret after whsec_ must be valid base64") from None
    if not key:
        raise ValueError("a webhook secret needs a non-empty key after whsec_")
    return secret


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    clock: Literal["real", "manual"] = "real"
    phases: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_PHASES))
    webhook_urls: tuple[str, ...] = ()
    webhook_secret: str | None = None
    # `--webhook-all-transitions`: the --webhook-url endpoints also get the mock-only `mock.transition` events.
    webhook_all_transitions: bool = False
    # `KEY` or `KEY=PROJECT[,PROJECT…]` (a key bound to those projects); none: any non-empty key is accepted.
    api_keys: tuple[str, ...] = ()
    # Each key without an `OpenAI-Project` header is a project of its own, instead of all sharing the default one.
    project_per_key: bool = False
    fixtures: Path | None = None
    seed: int | None = None
    admin_token: str | None = None
    # 512 MB is the real Files API's per-file limit; anything bigger is refused before it is read into memory.
    max_body_bytes: int = Field(default=512 * 1024 * 1024, ge=1)
    # Webhook delivery: seconds one attempt may take, the waits between attempts, and attempts in flight at once.
    webhook_timeout: float = Field(default=10.0, gt=0, allow_inf_nan=False)
    webhook_retry_schedule: tuple[float, ...] = DEFAULT_RETRY_SCHEDULE
    webhook_concurrency: int = Field(default=32, ge=1)
    # The chaos of every endpoint that has none of its own (`--webhook-chaos`, the marker's `webhook_chaos=`).
    webhook_chaos: Chaos | None = None
    # How many API requests `GET /_mock/requests` remembers (oldest forgotten first).
    journal_size: int = Field(default=1000, ge=0)
    # Seconds after SIGTERM/SIGINT before requests still in flight (and then deliveries) are abandoned and logged.
    shutdown_timeout: float = Field(default=3.0, ge=0, allow_inf_nan=False)
    # Seconds a connection may sit idle (before its first request too) before the server closes it.
    keep_alive_timeout: int = Field(default=5, ge=1)
    # The HTTP parser and event loop (`mockserver.stack`): the fast ones when installed, unless told otherwise.
    http: HttpChoice = "auto"
    loop: LoopChoice = "auto"
    # The outcome of an object whose request names no scenario (header or metadata): one of the kinds' scenarios.
    default_scenario: str = "succeed"

    @field_validator("phases")
    @classmethod
    def _known_phases(cls, phases: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(phases) - set(DEFAULT_PHASES))
        if unknown:
            raise ValueError(f"unknown phase {', '.join(unknown)}; known phases: {', '.join(DEFAULT_PHASES)}")
        negative = sorted(name for name, seconds in phases.items() if not 0 <= seconds < math.inf)
        if negative:
            raise ValueError(f"phase durations must be finite and not negative: {', '.join(negative)}")
        return {**DEFAULT_PHASES, **phases}

    @field_validator("fixtures", mode="before")
    @classmethod
    def _named_fixtures(cls, value: object) -> object:
        # `fixtures="example"` is the seed file that ships in the package, from whatever directory the server starts.
        return fixtures_path(value) if isinstance(value, str | Path) else value

    @model_validator(mode="after")
    def _stack_installed(self) -> Settings:
        Stack.choose(self.http, self.loop)  # refuses a parser or loop that is not installed
        return self

    @field_validator("default_scenario")
    @classmethod
    def _known_scenario(cls, scenario: str) -> str:
        if scenario not in SCENARIOS:
            raise ValueError(f"unknown scenario {scenario!r}; known scenarios: {', '.join(SCENARIOS)}")
        return scenario

    @field_validator("webhook_retry_schedule")
    @classmethod
    def _non_negative_delays(cls, schedule: tuple[float, ...]) -> tuple[float, ...]:
        if not all(0 <= delay < math.inf for delay in schedule):
            raise ValueError("retry delays must be finite and not negative")
        return schedule

    @field_validator("api_keys")
    @classmethod
    def _key_entries(cls, entries: tuple[str, ...]) -> tuple[str, ...]:
        for entry in entries:
            parse_api_key(entry)
        return entries

    @field_validator("webhook_urls")
    @classmethod
    def _http_urls(cls, urls: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(check_http_url(url) for url in urls)

    @field_validator("webhook_secret")
    @classmethod
    def _secret_format(cls, secret: str | None) -> str | None:
        return None if secret is None else check_webhook_secret(secret)


def describe_errors(exc: ValidationError, name: Callable[[str], str]) -> str:
    """A refused configuration in the user's terms: each problem after the name they used for the setting (a flag,
    a marker argument), without pydantic's "Value error, " prefix."""
    problems = (f"{name(str(error['loc'][0]))}: {error['msg']}" for error in exc.errors(include_url=False))
    return "; ".join(problems).replace("Value error, ", "")
