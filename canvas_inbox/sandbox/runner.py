"""Run a sandbox inside this process on a free loopback port (tests, benchmarks)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from canvas_inbox.sandbox.options import SandboxOptions


@dataclass(frozen=True, slots=True)
class SeededUser:
    id: int
    name: str
    token: str
    login_id: str | None = None


@dataclass(frozen=True, slots=True)
class RunningSandbox:
    url: str  # http://127.0.0.1:PORT
    users: tuple[SeededUser, ...]
    app: Any  # the Starlette app, for tests that must look behind the API

    @property
    def api(self) -> str:
        return f"{self.url}/api/v1"

    def token(self, user_id: int) -> str:
        for user in self.users:
            if user.id == user_id:
                return user.token
        raise KeyError(user_id)


@contextmanager
def run_sandbox(
    options: SandboxOptions | None = None, **overrides: Any
) -> Iterator[RunningSandbox]:
    """Serve a sandbox on 127.0.0.1 with an OS-chosen port until the block ends."""
    import dataclasses

    import uvicorn

    from canvas_inbox.sandbox.app import create_app

    options = dataclasses.replace(options or SandboxOptions(), **overrides)
    app = create_app(options)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, log_level="warning", lifespan="on", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="canvas-sandbox", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the sandbox did not start")
        time.sleep(0.005)
    port = server.servers[0].sockets[0].getsockname()[1]
    users = tuple(
        SeededUser(id=u["id"], name=u["name"], token=u["token"], login_id=u.get("login_id"))
        for u in app.state.seeded_users
    )
    try:
        yield RunningSandbox(url=f"http://127.0.0.1:{port}", users=users, app=app)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
