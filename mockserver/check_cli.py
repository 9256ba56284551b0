"""`mockserver check-receiver URL --secret whsec_…`: the receiver check from the command line, a table for people
and `--json` for CI; the exit status is 0 only when every case passed (1 when one failed, 2 for bad arguments)."""

from __future__ import annotations

import argparse
import sys

from mockserver.settings import check_webhook_secret
from mockserver.urls import check_http_url, redact_url
from mockserver.webhooks.event_types import check_event_type
from mockserver.webhooks.receiver_check import check_receiver


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    check = sub.add_parser(
        "check-receiver", help="send valid and broken webhooks to your receiver and grade its answers"
    )
    check.add_argument("url", help="the receiver's URL")
    check.add_argument("--secret", required=True, metavar="whsec_…", help="the secret the receiver verifies with")
    check.add_argument(
        "--event", action="append", default=[], metavar="TYPE",
        help="an event type it subscribes to; repeatable (default: every type)",
    )  # fmt: skip
    check.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS", help="per delivery (default: 10)")
    check.add_argument(
        "--budget", type=float, default=1.0, metavar="SECONDS", help="the slowest valid answer allowed (default: 1)"
    )
    check.add_argument("--seed", type=int, default=None, help="reproducible event ids")
    check.add_argument("--json", action="store_true", help="print the report as JSON (for CI)")


def _fail(message: str) -> int:
    sys.stderr.write(f"mockserver check-receiver: error: {message}\n")
    return 2


def run(args: argparse.Namespace) -> int:
    try:
        check_webhook_secret(args.secret)
    except ValueError as exc:
        return _fail(f"--secret: {exc}")
    try:
        check_http_url(args.url)
    except ValueError as exc:
        return _fail(f"{redact_url(args.url)!r}: {exc}")
    for event_type in args.event:
        try:
            check_event_type(event_type)
        except ValueError as exc:
            return _fail(f"--event: {exc}")
    if not (args.timeout > 0 and args.budget > 0):
        return _fail("--timeout and --budget must be positive")
    report = check_receiver(
        args.url, args.secret, events=args.event or None, timeout=args.timeout, budget=args.budget, seed=args.seed
    )
    sys.stdout.write((report.model_dump_json(indent=2) if args.json else report.table()) + "\n")
    return 0 if report.passed else 1
