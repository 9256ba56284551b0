"""`mockserver [serve] [flags]`: start the server. Every flag can also come from `MOCKSERVER_<FLAG>`; flags win."""

from __future__ import annotations

import argparse
import gc
import ipaddress
import json
import logging
import math
import os
import signal
import socket
import sys
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import Any

import uvicorn
from pydantic import ValidationError
from starlette.applications import Starlette

from mockserver import __version__, check_cli, trigger_command
from mockserver.app import create_app
from mockserver.examples import example_path, examples_dir
from mockserver.fixtures import FixturesError, json_schema as fixtures_schema
from mockserver.kinds import DEFAULT_PHASES
from mockserver.listen import create_listener
from mockserver.schemas.chaos import Chaos
from mockserver.settings import Settings, check_webhook_secret, describe_errors
from mockserver.shutdown import Shutdown
from mockserver.sockets import bind_tcp
from mockserver.stack import Stack
from mockserver.urls import redact_url

logger = logging.getLogger("mockserver")

_REPEATABLE = {"phase", "webhook_url", "api_key"}
_TRUE = {"1", "true", "yes", "on"}
# Settings fields whose flag is not the field's name with dashes.
_FIELD_FLAGS = {"phases": "phase", "webhook_urls": "webhook-url", "api_keys": "api-key"}


def _default(field: str) -> Any:
    """A flag's default is its `Settings` field's: one place says what the server does unless told otherwise."""
    return Settings.model_fields[field].get_default(call_default_factory=True)


def _phase(text: str) -> tuple[str, float]:
    """`NAME=SECONDS`; which names exist and which durations are sane is `Settings`' to say."""
    name, sep, seconds = text.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"expected NAME=SECONDS, got {text!r}")
    try:
        return name, float(seconds)
    except ValueError:
        raise argparse.ArgumentTypeError(f"phase {name}: {seconds!r} is not a number of seconds") from None


def _chaos(text: str) -> dict[str, float]:
    """`duplicate=1,reorder=0.5,delay=30`: the fields of `Chaos` (checked by `Settings`, in the flag's name)."""
    chaos: dict[str, float] = {}
    for part in text.replace(" ", ",").split(","):
        if not part:
            continue
        name, sep, value = part.partition("=")
        try:
            chaos[name] = float(value) if sep else 1.0
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name}: {value!r} is not a number") from None
    try:
        Chaos.model_validate(chaos)
    except ValidationError as exc:
        problems = (f"{error['loc'][0]}: {error['msg']}" for error in exc.errors(include_url=False))
        raise argparse.ArgumentTypeError("; ".join(problems)) from None
    return chaos


def _schedule(text: str) -> tuple[float, ...]:
    """Comma- or space-separated seconds; `Settings` checks that they are sane."""
    try:
        return tuple(float(part) for part in text.replace(" ", ",").split(",") if part)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated seconds, got {text!r}") from None


def _serve_parser(parser: argparse.ArgumentParser) -> None:
    phases = ", ".join(f"{name}={seconds:g}" for name, seconds in DEFAULT_PHASES.items())
    parser.add_argument("--host", default=_default("host"), help="bind address (default: %(default)s)")
    parser.add_argument(
        "--port", type=int, default=_default("port"), help="port; 0 picks a free one (default: %(default)s)"
    )
    parser.add_argument(
        "--clock",
        choices=["real", "manual"],
        default=_default("clock"),
        help="real, or manual: time moves only via the control API (default: %(default)s)",
    )
    parser.add_argument(
        "--phase",
        type=_phase,
        action="append",
        default=[],
        metavar="NAME=SECONDS",
        help=f"simulated duration of a lifecycle phase; repeatable. Defaults: {phases}",
    )
    parser.add_argument(
        "--webhook-url", action="append", default=[], metavar="URL", help="webhook endpoint; repeatable (default: none)"
    )
    parser.add_argument(
        "--webhook-secret",
        metavar="whsec_…",
        help="signing secret for --webhook-url endpoints (default: generated and printed)",
    )
    parser.add_argument(
        "--webhook-all-transitions",
        action="store_true",
        help="also send --webhook-url endpoints every state change as a mock-only `mock.transition` event "
        "(default: off, terminal states only)",
    )
    parser.add_argument(
        "--webhook-timeout",
        type=float,
        default=_default("webhook_timeout"),
        metavar="SECONDS",
        help="time one delivery attempt may take (default: %(default)g)",
    )
    parser.add_argument(
        "--webhook-concurrency",
        type=int,
        default=_default("webhook_concurrency"),
        metavar="N",
        help="delivery attempts in flight at once (default: %(default)s)",
    )
    parser.add_argument(
        "--webhook-retry-schedule",
        type=_schedule,
        default=_default("webhook_retry_schedule"),
        metavar="S,S,…",
        help="seconds between attempts (default: "
        + ",".join(f"{s:g}" for s in _default("webhook_retry_schedule"))
        + ")",
    )
    parser.add_argument(
        "--webhook-chaos",
        type=_chaos,
        default=None,
        metavar="KIND=P,…",
        help="disturb the deliveries of every endpoint without chaos of its own, e.g. duplicate=1,reorder=0.5,"
        "delay=30,bad_signature=0.2 (probabilities; a kind alone means 1; seeded by --seed) (default: none)",
    )
    parser.add_argument(
        "--api-key",
        action="append",
        default=[],
        metavar="KEY[=PROJECT,…]",
        help="accept only these keys; with =PROJECT,… the key may act only in those projects; repeatable "
        "(default: any non-empty key)",
    )
    parser.add_argument(
        "--project-per-key",
        action="store_true",
        help="each key without an OpenAI-Project header is a project of its own (default: off, every key shares "
        "one default project)",
    )
    parser.add_argument(
        "--fixtures",
        type=Path,
        metavar="PATH",
        help="seed state JSON loaded at start and after each reset; 'example' is the packaged example seed "
        "(default: none)",
    )
    parser.add_argument("--seed", type=int, help="make ids and fake data reproducible (default: random)")
    parser.add_argument(
        "--admin-token", metavar="TOKEN", help="require 'Authorization: Bearer TOKEN' on /_mock (default: none)"
    )
    parser.add_argument(
        "--max-body-bytes",
        type=int,
        default=_default("max_body_bytes"),
        metavar="N",
        help="request body limit, 413 above (default: %(default)s)",
    )
    parser.add_argument(
        "--journal-size",
        type=int,
        default=_default("journal_size"),
        metavar="N",
        help="API requests /_mock/requests remembers (default: %(default)s)",
    )
    parser.add_argument(
        "--log-level",
        default="info",
        choices=["debug", "info", "warning", "error"],
        help="(default: %(default)s)",
    )
    parser.add_argument(
        "--http",
        choices=["auto", "h11", "httptools"],
        default=_default("http"),
        help="HTTP parser; auto: httptools when installed, else h11 (default: %(default)s)",
    )
    parser.add_argument(
        "--loop",
        choices=["auto", "asyncio", "uvloop"],
        default=_default("loop"),
        help="event loop; auto: uvloop when installed, else asyncio (default: %(default)s)",
    )
    parser.add_argument(
        "--shutdown-timeout",
        type=float,
        default=_default("shutdown_timeout"),
        metavar="SECONDS",
        help="after SIGTERM/SIGINT, abandon (and log) requests and deliveries still in flight after this "
        "(default: %(default)g)",
    )
    parser.add_argument(
        "--keep-alive-timeout",
        type=int,
        default=_default("keep_alive_timeout"),
        metavar="SECONDS",
        help="close a connection idle this long, even one that never sent a request (default: %(default)s)",
    )


def build_parser() -> tuple[argparse.ArgumentParser, argparse.ArgumentParser]:
    """The program's parser and its `serve` sub-parser."""
    parser = argparse.ArgumentParser(prog="mockserver", description="A mock OpenAI API server for tests and CI.")
    parser.add_argument("--version", action="version", version=f"mockserver {__version__} ({Stack.choose()})")
    sub = parser.add_subparsers(dest="command")
    serve = sub.add_parser("serve", help="start the server (the default command)")
    _serve_parser(serve)
    listen = sub.add_parser("listen", help="receive webhooks locally: print each one, verify it, forward it")
    listen.add_argument("--host", default="127.0.0.1", help="bind address (default: 127.0.0.1)")
    listen.add_argument("--port", type=int, default=8001, help="port; 0 picks a free one (default: 8001)")
    listen.add_argument(
        "--secret", metavar="whsec_…", help="verify signatures with this secret (default: none, print unverified)"
    )
    listen.add_argument(
        "--forward-to", metavar="URL", help="forward each verified delivery to this URL (default: none)"
    )
    listen.add_argument(
        "--log-level", default="warning", choices=["debug", "info", "warning", "error"], help="(default: %(default)s)"
    )
    check_cli.add_parser(sub)
    fixtures = sub.add_parser("fixtures", help="the example data that ships with mockserver")
    fixtures_sub = fixtures.add_subparsers(dest="fixtures_command", required=True)
    path = fixtures_sub.add_parser("path", help="print where an example file (or the examples folder) is")
    path.add_argument("name", nargs="?", help="e.g. seed.json or training/valid.jsonl; none: the folder")
    fixtures_sub.add_parser("schema", help="print the JSON Schema of a fixtures file")
    trigger_command.add_parser(sub)
    return parser, serve


def _with_environment(argv: list[str], serve_parser: argparse.ArgumentParser) -> list[str]:
    """Prepend `MOCKSERVER_*` values as flags; a flag given on the command line replaces its variable."""
    given = {arg.split("=")[0] for arg in argv if arg.startswith("--")}
    injected: list[str] = []
    for flag, action in serve_parser._option_string_actions.items():
        if not flag.startswith("--") or action.dest == "help" or flag in given:
            continue
        value = os.environ.get("MOCKSERVER_" + action.dest.upper())
        if value is None:
            continue
        if action.nargs == 0:  # a switch: on for a true-ish value, off for anything else
            injected += [flag] if value.strip().lower() in _TRUE else []
            continue
        for item in _environment_values(action.dest, value):
            injected += [flag, item]
    return injected + argv


def _environment_values(dest: str, value: str) -> list[str]:
    """One variable's values: repeatable flags split on whitespace and commas, except that once an `--api-key`
    entry binds projects (`KEY=P1,P2`), commas belong to project lists and only whitespace separates keys."""
    if dest not in _REPEATABLE:
        return [value]
    if dest == "api_key" and "=" in value:
        return value.split()
    return value.replace(",", " ").split()


def _flag(field: str) -> str:
    """The command-line flag that sets a `Settings` field."""
    return "--" + _FIELD_FLAGS.get(field, field.replace("_", "-"))


def settings_from_args(args: argparse.Namespace) -> Settings:
    return Settings(
        host=args.host,
        port=args.port,
        clock=args.clock,
        phases=dict(args.phase),
        webhook_urls=tuple(args.webhook_url),
        webhook_secret=args.webhook_secret,
        webhook_all_transitions=args.webhook_all_transitions,
        api_keys=tuple(args.api_key),
        project_per_key=args.project_per_key,
        fixtures=args.fixtures,
        seed=args.seed,
        admin_token=args.admin_token,
        max_body_bytes=args.max_body_bytes,
        webhook_timeout=args.webhook_timeout,
        webhook_retry_schedule=args.webhook_retry_schedule,
        webhook_concurrency=args.webhook_concurrency,
        webhook_chaos=args.webhook_chaos,
        journal_size=args.journal_size,
        shutdown_timeout=args.shutdown_timeout,
        keep_alive_timeout=args.keep_alive_timeout,
        http=args.http,
        loop=args.loop,
    )


def exposure_warning(host: str, admin_token: str | None) -> str | None:
    """What to warn about when the control API is reachable beyond this machine without a token."""
    if admin_token is not None:
        return None
    try:
        if ipaddress.ip_address(host).is_loopback:
            return None
    except ValueError:
        if host == "localhost":
            return None
    return (
        f"listening on {host}, beyond loopback, with no --admin-token: anyone who can reach it can reset it, "
        "move its clock and read its webhook secrets through /_mock"
    )


def _fail(message: str) -> int:
    sys.stderr.write(f"mockserver: error: {message}\n")
    return 2


def _url(host: str, sock: socket.socket) -> str:
    return f"http://{f'[{host}]' if ':' in host else host}:{sock.getsockname()[1]}"


class _Server(uvicorn.Server):
    """uvicorn's server, telling the app when a stop signal arrives so that its shutdown deadline starts."""

    def __init__(self, config: uvicorn.Config, shutdown: Shutdown | None) -> None:
        super().__init__(config)
        self._shutdown = shutdown

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        super().handle_exit(sig, frame)
        if self._shutdown is not None:
            self._shutdown.stop_requested()


def _freeze_heap() -> None:
    """What exists once the app is built (the app, the imported modules, a seeded fixtures file's objects) lives as
    long as the process. Frozen, it is left out of the collector's full passes, which otherwise walk all of it again
    and again as requests add objects: with 40 000 seeded jobs, that was a third of a cancel's time. Done before the
    ready line, so that the first requests do not wait behind the collection (over a second with 200 000 jobs)."""
    gc.collect()
    gc.freeze()


def _run(app: Starlette, sock: socket.socket, log_level: str, *, stack: Stack, keep_alive: int) -> int:
    sys.stdout.flush()
    services = getattr(app.state, "services", None)  # `listen` has none
    shutdown: Shutdown | None = None if services is None else services.shutdown
    config = uvicorn.Config(
        app,
        log_level=log_level,
        lifespan="on",
        access_log=log_level == "debug",
        **stack.config(),
        timeout_keep_alive=keep_alive,
        # A backstop behind the app's own deadline, which abandons requests first and says which.
        timeout_graceful_shutdown=None if shutdown is None else math.ceil(shutdown.seconds) + 2,
    )
    server = _Server(config, shutdown)
    # uvicorn shuts down gracefully on SIGTERM/SIGINT and then re-raises the signal into the handler that was there
    # before it; a handler that does nothing lets the process end with status 0, as CI expects of a clean stop.
    for stop_signal in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop_signal, lambda signum, frame: None)
    logger.info("serving on %s", stack)
    server.run(sockets=[sock])
    logger.info("mockserver stopped")
    return 0


def serve(settings: Settings, log_level: str = "info") -> int:
    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        app = create_app(settings)
    except FixturesError as exc:
        return _fail(str(exc))
    try:
        sock = bind_tcp(settings.host, settings.port)
    except OSError as exc:
        return _fail(f"cannot listen on {settings.host}:{settings.port}: {exc.strerror}")
    url = _url(settings.host, sock)
    _freeze_heap()
    warning = exposure_warning(settings.host, settings.admin_token)
    if warning is not None:
        logger.warning(warning)
    sys.stdout.write(f"mockserver listening on {url} (OpenAI base_url: {url}/v1, clock: {settings.clock})\n")
    endpoints = app.state.services.endpoints
    if endpoints.cli_secret_generated:
        # The contract: a generated secret is printed once, so that receivers can verify what they get.
        sys.stdout.write(f"webhook signing secret (generated): {endpoints.cli_secret}\n")
    stack = Stack.choose(settings.http, settings.loop)
    return _run(app, sock, log_level, stack=stack, keep_alive=settings.keep_alive_timeout)


def listen(args: argparse.Namespace) -> int:
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.secret is not None:
        try:
            check_webhook_secret(args.secret)
        except ValueError as exc:
            return _fail(f"--secret: {exc}")
    if args.forward_to is not None and not args.forward_to.startswith(("http://", "https://")):
        return _fail(f"--forward-to: {redact_url(args.forward_to)!r} is not an http or https URL")
    try:
        sock = bind_tcp(args.host, args.port)
    except OSError as exc:
        return _fail(f"cannot listen on {args.host}:{args.port}: {exc.strerror}")
    forwarding = f", forwarding to {redact_url(args.forward_to)}" if args.forward_to else ""
    app = create_listener(secret=args.secret, forward_to=args.forward_to)
    _freeze_heap()
    sys.stdout.write(f"mockserver listen: receiving webhooks on {_url(args.host, sock)}/{forwarding}\n")
    return _run(app, sock, args.log_level, stack=Stack.choose(), keep_alive=_default("keep_alive_timeout"))


def print_example_path(name: str | None) -> int:
    try:
        path = examples_dir() if name is None else example_path(name)
    except FileNotFoundError as exc:
        return _fail(str(exc))
    sys.stdout.write(f"{path}\n")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser, serve_parser = build_parser()
    arguments = list(sys.argv[1:] if argv is None else argv)
    # No sub-command means `serve`; `mockserver --help` and `--version` are still the program's.
    if not arguments or (arguments[0].startswith("-") and arguments[0] not in ("-h", "--help", "--version")):
        arguments = ["serve", *arguments]
    if arguments[0] == "serve":
        arguments = ["serve", *_with_environment(arguments[1:], serve_parser)]
    args = parser.parse_args(arguments)
    if args.command == "listen":
        return listen(args)
    if args.command == "fixtures":
        if args.fixtures_command == "schema":
            sys.stdout.write(json.dumps(fixtures_schema(), indent=2) + "\n")
            return 0
        return print_example_path(args.name)
    if args.command == "check-receiver":
        return check_cli.run(args)
    if args.command == "trigger":
        return trigger_command.run(args)
    try:
        settings = settings_from_args(args)
    except ValidationError as exc:
        return _fail(describe_errors(exc, _flag))
    return serve(settings, args.log_level)
