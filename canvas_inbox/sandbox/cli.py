"""``canvas-inbox sandbox`` and ``python -m canvas_inbox.sandbox``: serve the sandbox alone.

Once the server accepts requests it prints exactly one line,
``Canvas sandbox listening on http://127.0.0.1:N``, then the seeded users and their
tokens, one per line (demo.py and the tests wait for that first line). A bad option or
seed gets one line on stderr and exit code 2; Ctrl-C stops it cleanly.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import re
import socket
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlsplit

from canvas_inbox.loopback import is_loopback
from canvas_inbox.sandbox.options import SandboxOptions

PROG = "canvas-inbox sandbox"
READY = "Canvas sandbox listening on"
EXIT_USAGE = 2

# Control characters and bidi overrides: a seed file's names must not drive the terminal.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


class UsageError(Exception):
    """A bad option or seed: reported as one line, exit code 2."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The sandbox's options (the same as the ``sandbox`` subcommand of canvas-inbox)."""
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8765, help="port (0: any free port)")
    parser.add_argument(
        "--seed", default="demo", metavar="SEED", help="demo, empty, or a JSON seed file"
    )
    parser.add_argument("--db", metavar="PATH", help="keep the database in this file")
    parser.add_argument("--latency", type=float, default=0.0, metavar="MS")
    parser.add_argument("--fail-rate", type=float, default=0.0, metavar="P")
    parser.add_argument("--throttle", action="store_true")
    parser.add_argument("--live-events-url", metavar="URL")
    parser.add_argument("--activity", type=float, default=0.0, metavar="SECONDS")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        print(f"{PROG}: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m canvas_inbox.sandbox",
        description="A local Canvas-compatible server (the Conversations API and around it).",
    )
    add_arguments(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    return cmd_sandbox(build_parser().parse_args(argv))


def printable(text: object) -> str:
    return _UNPRINTABLE.sub("", str(text))


def load_seed(value: str) -> str | dict[str, Any]:
    """``demo``/``empty`` as they are; a file read and checked now, so that a bad one is a
    usage error before anything listens (the reading is the loader's own)."""
    if value in ("demo", "empty"):
        return value
    from canvas_inbox.sandbox.seed import SeedError, read_seed

    try:
        return read_seed(Path(value))
    except SeedError as error:
        raise UsageError(str(error)) from None


def build_options(args: argparse.Namespace) -> SandboxOptions:
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port must be between 0 and 65535, not {args.port}")
    if not args.latency >= 0:  # also refuses nan
        raise UsageError(f"--latency must be 0 or more milliseconds, not {args.latency}")
    if not 0.0 <= args.fail_rate <= 1.0:
        raise UsageError(f"--fail-rate must be between 0 and 1, not {args.fail_rate}")
    if not args.activity >= 0:
        raise UsageError(f"--activity must be 0 or more seconds, not {args.activity}")
    url = args.live_events_url
    if url is not None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise UsageError(f"--live-events-url must be an http(s) URL, not {url!r}")
    return SandboxOptions(
        seed=load_seed(args.seed),
        db_path=Path(args.db) if args.db else None,
        latency_ms=args.latency,
        fail_rate=args.fail_rate,
        throttle=bool(args.throttle),
        live_events_url=url,
        activity_seconds=args.activity,
    )


def bind(host: str, port: int) -> socket.socket:
    """Listen before uvicorn starts, so a port in use is one clear line, and port 0 works."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
    except OSError as error:
        raise UsageError(f"cannot listen on {host}:{port}: {error}") from None
    try:
        if sys.platform != "win32":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as error:
        sock.close()
        reason = error.strerror or str(error)
        raise UsageError(f"cannot listen on {host}:{port}: {reason}") from None
    sock.setblocking(False)
    return sock


def cmd_sandbox(args: argparse.Namespace) -> int:
    try:
        options = build_options(args)
        if not is_loopback(args.host):
            print(
                f"{PROG}: warning: listening on {printable(args.host)}, not loopback: anyone "
                "who can reach it can read the seeded mail with the printed tokens",
                file=sys.stderr,
            )
        from canvas_inbox.sandbox.app import create_app

        try:
            app = create_app(options)
        except Exception as error:  # the seed loader's complaint, whatever its type
            first = printable(str(error).strip().splitlines()[0] if str(error).strip() else "")
            raise UsageError(f"bad seed: {first or type(error).__name__}") from None
        sock = bind(args.host, args.port)
    except UsageError as error:
        print(f"{PROG}: {error}", file=sys.stderr)
        return EXIT_USAGE
    try:
        asyncio.run(_serve(app, sock, args.host))
    except KeyboardInterrupt:
        pass  # Ctrl-C: uvicorn has already shut down cleanly; nothing to add
    finally:
        sock.close()
    return 0


async def _serve(app: Any, sock: socket.socket, host: str) -> None:
    import uvicorn

    ready = asyncio.Event()

    class Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            if self.started:
                ready.set()

    config = uvicorn.Config(
        app, log_level="warning", access_log=False, lifespan="on", timeout_graceful_shutdown=3
    )
    server = Server(config)
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    waiting = asyncio.create_task(ready.wait())
    await asyncio.wait({serving, waiting}, return_when=asyncio.FIRST_COMPLETED)
    waiting.cancel()
    if ready.is_set():
        _announce(app, host, sock.getsockname()[1])
    await serving


def _announce(app: Any, host: str, port: int) -> None:
    shown = host if ":" not in host else f"[{host}]"
    lines = [f"{READY} http://{printable(shown)}:{port}"]
    for user in getattr(app.state, "seeded_users", ()):
        login = f" <{printable(user['login_id'])}>" if user.get("login_id") else ""
        token = printable(user.get("token") or "-")
        lines.append(f"  user {user['id']}: {printable(user['name'])}{login}  token: {token}")
    with contextlib.suppress(BrokenPipeError):
        print("\n".join(lines), flush=True)
