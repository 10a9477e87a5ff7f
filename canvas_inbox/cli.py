"""The command line: parses arguments and hands each command to the module that owns it.

Every import past argparse is deferred to the command that needs it, so that
``canvas-inbox unread`` does not pay for Textual and the TUI paints before httpx loads.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from canvas_inbox import __version__

Handler = Callable[[argparse.Namespace], int]


def _add_connection_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--profile", metavar="NAME", help="use this saved profile")
    parser.add_argument(
        "--url",
        metavar="URL",
        help="Canvas URL to use without a saved profile (token from CANVAS_INBOX_TOKEN)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="canvas-inbox",
        description="A keyboard-driven terminal client for the Canvas LMS Inbox.",
    )
    parser.add_argument("--version", action="version", version=f"canvas-inbox {__version__}")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="open the app on a local demo school (no Canvas account needed)",
    )
    _add_connection_options(parser)
    parser.set_defaults(handler=_run_tui)
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    login = commands.add_parser("login", help="connect to a Canvas with an access token")
    login.add_argument("--url", required=True, metavar="URL", help="your school's Canvas URL")
    login.add_argument("--profile", metavar="NAME", help="name for this profile")
    login.add_argument("--default", action="store_true", help="make this the default profile")
    login.set_defaults(handler=_lazy("canvas_inbox.accounts", "cmd_login"))

    logout = commands.add_parser("logout", help="forget a profile's token")
    logout.add_argument("profile", nargs="?", metavar="PROFILE")
    logout.add_argument(
        "--purge-cache", action="store_true", help="also delete the profile's local cache"
    )
    logout.set_defaults(handler=_lazy("canvas_inbox.accounts", "cmd_logout"))

    profiles = commands.add_parser("profiles", help="list saved profiles")
    profiles.set_defaults(handler=_lazy("canvas_inbox.accounts", "cmd_profiles"))

    sync = commands.add_parser("sync", help="fill the local cache without opening the app")
    _add_connection_options(sync)
    sync.add_argument(
        "--lists-only", action="store_true", help="fetch the conversation lists, not threads"
    )
    sync.set_defaults(handler=_lazy("canvas_inbox.scripting", "cmd_sync"))

    unread = commands.add_parser("unread", help="print the unread count (for status bars)")
    _add_connection_options(unread)
    unread.set_defaults(handler=_lazy("canvas_inbox.scripting", "cmd_unread"))

    sandbox = commands.add_parser(
        "sandbox", help="run the local Canvas-compatible server alone, for other clients"
    )
    sandbox.add_argument("--host", default="127.0.0.1")
    sandbox.add_argument("--port", type=int, default=8765)
    sandbox.add_argument(
        "--seed", default="demo", metavar="SEED", help="demo, empty, or a JSON seed file"
    )
    sandbox.add_argument("--db", metavar="PATH", help="keep the database in this file")
    sandbox.add_argument("--latency", type=float, default=0.0, metavar="MS")
    sandbox.add_argument("--fail-rate", type=float, default=0.0, metavar="P")
    sandbox.add_argument("--throttle", action="store_true")
    sandbox.add_argument("--live-events-url", metavar="URL")
    sandbox.add_argument("--activity", type=float, default=0.0, metavar="SECONDS")
    sandbox.set_defaults(handler=_lazy("canvas_inbox.sandbox.cli", "cmd_sandbox"))
    return parser


def _lazy(module: str, name: str) -> Handler:
    def handler(args: argparse.Namespace) -> int:
        import importlib

        function: Handler = getattr(importlib.import_module(module), name)
        return function(args)

    return handler


def _run_tui(args: argparse.Namespace) -> int:
    if args.demo:
        return _lazy("canvas_inbox.demo", "run_demo")(args)
    return _lazy("canvas_inbox.ui.launch", "run_tui")(args)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `canvas-inbox unread | head` closing early is not an error.
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
