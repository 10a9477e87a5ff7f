"""The sandbox application: ``create_app(options)`` builds a ready Starlette app.

It loads the seed into a fresh database (or opens ``--db``), wires the Conversations
engine, the people and files routes, Canvas's error handling, the fault/throttle
middlewares and the live events sink, and starts ``--activity`` in its lifespan.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from canvas_inbox.sandbox import files, people
from canvas_inbox.sandbox.activity import run_activity
from canvas_inbox.sandbox.db import Database, Event
from canvas_inbox.sandbox.engine.routes import routes as conversation_routes
from canvas_inbox.sandbox.http import (
    NOT_FOUND_MESSAGE,
    ApiError,
    api_error_handler,
    internal_error_handler,
    not_found,
)
from canvas_inbox.sandbox.live_events import LiveEventSink
from canvas_inbox.sandbox.middleware import FaultMiddleware, ThrottleMiddleware
from canvas_inbox.sandbox.options import SandboxOptions
from canvas_inbox.sandbox.roster import Roster
from canvas_inbox.sandbox.seed import load_seed

ANY_METHOD = ["GET", "POST", "PUT", "DELETE", "PATCH"]


async def _api_not_found(request: Request) -> Response:
    raise not_found()


async def _http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if request.url.path.startswith("/api/"):
        return JSONResponse({"errors": [{"message": NOT_FOUND_MESSAGE}]}, status_code=404)
    return Response(exc.detail, status_code=exc.status_code, headers=exc.headers)


class _RecordHost:
    """Live events name the host clients reach the sandbox by; learn it from requests."""

    def __init__(self, app: ASGIApp, sink: LiveEventSink) -> None:
        self.app = app
        self.sink = sink

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            for name, value in scope.get("headers", ()):
                if name == b"host":
                    self.sink.hostname = value.decode("latin-1")
                    break
        await self.app(scope, receive, send)


def _open_database(options: SandboxOptions) -> tuple[Database, Roster]:
    db = Database(options.db_path)
    if db.is_empty():
        try:
            roster = load_seed(db, options.seed)
        except BaseException:
            db.close()
            raise
    else:  # --db with an existing sandbox: carry on where it left off
        with db.read() as conn:
            roster = Roster.load(conn)
    return db, roster


def create_app(options: SandboxOptions) -> Starlette:
    db, roster = _open_database(options)
    with db.read() as conn:
        seeded = [
            {"id": r["id"], "name": r["name"], "token": r["token"], "login_id": r["login_id"]}
            for r in conn.execute("SELECT id, name, token, login_id FROM users ORDER BY id")
        ]
    sink = LiveEventSink(options.live_events_url, hostname="127.0.0.1")

    def publish(events: list[Event]) -> None:
        for name, body, user_id in events:
            sink.emit(name, body, user_id=user_id)

    db.on_commit = publish

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await sink.start()
        activity: asyncio.Task[None] | None = None
        if options.activity_seconds > 0:
            activity = asyncio.create_task(
                run_activity(app.state, options.activity_seconds, options.random_seed),
                name="sandbox-activity",
            )
        try:
            yield
        finally:
            if activity is not None:
                activity.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await activity
            await sink.aclose()

    exception_handlers: dict[Any, Any] = {
        ApiError: api_error_handler,
        HTTPException: _http_exception,
        Exception: internal_error_handler,
    }
    app = Starlette(
        routes=[
            *conversation_routes(),
            *people.routes(),
            *files.routes(),
            Route("/api/v1/{path:path}", _api_not_found, methods=ANY_METHOD),
        ],
        exception_handlers=exception_handlers,
        lifespan=lifespan,
    )
    app.state.db = db
    app.state.roster = roster
    app.state.seeded_users = seeded
    app.state.live_events = sink
    app.state.options = options
    app.add_middleware(ThrottleMiddleware, enabled=options.throttle)
    app.add_middleware(
        FaultMiddleware,
        latency_ms=options.latency_ms,
        fail_rate=options.fail_rate,
        random_seed=options.random_seed,
    )
    app.add_middleware(_RecordHost, sink=sink)
    return app
