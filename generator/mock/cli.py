"""`python -m generator mock SPEC`: the spec's validating mock on a local port (see `generator.mock`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["DEFAULT_PORT", "add_parser", "run"]

DEFAULT_PORT = 4010


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `mock` on the CLI's subcommands (nothing heavy is imported until it runs)."""
    mock = subparsers.add_parser("mock", help="serve a validating mock of a spec: its generated server, answered")
    mock.add_argument("spec", metavar="SPEC", help="the spec file, YAML or JSON")
    mock.add_argument("--host", default="127.0.0.1", help="interface to listen on (default: 127.0.0.1)")
    mock.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default: {DEFAULT_PORT})")
    mock.add_argument("--seed", type=int, default=0, help="chooses the generated bodies (default: 0)")
    mock.add_argument("--stateful", action="store_true", help="remember what was created where the spec's links say so")
    mock.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted; 1 when the spec does not generate."""
    import uvicorn

    from generator.cli import _report
    from generator.errors import GenerationError
    from generator.mock import MockOptions, load_package, mock_app
    from generator.mock.auth import MOCK_CREDENTIALS
    from generator.profiles import PROFILES

    try:
        with load_package(Path(args.spec)) as package:
            app = mock_app(package, MockOptions(seed=args.seed, stateful=args.stateful))
            url = f"http://{args.host}:{args.port}{app.base_path}"
            print(f"mock of {package.api.title} ({len(package.api.operations)} operations) at {url}", flush=True)
            if package.api.security_schemes and PROFILES[package.api.profile].contract_hooks() is None:
                credentials = MOCK_CREDENTIALS
                print(
                    f"  credentials: API key {credentials.api_key!r}, bearer token {credentials.token!r}, "
                    f"basic {credentials.username!r}/{credentials.password!r}",
                    flush=True,
                )
            for label, gaps in app.gaps.items():
                for status, why in gaps.items():
                    print(f"  note: {label} {why}; the mock answers {status} anyway", file=sys.stderr)
            uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    except GenerationError as exc:
        return _report(exc)
    return 0
