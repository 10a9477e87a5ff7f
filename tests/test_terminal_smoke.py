"""The tmux harness itself: the real app opens on a sandbox and shows its inbox."""

from __future__ import annotations

from collections.abc import Callable

from canvas_inbox.sandbox.demo_school import DEMO_USER_ID
from canvas_inbox.sandbox.runner import RunningSandbox
from tests.terminal import needs_tmux, terminal


@needs_tmux
def test_the_app_opens_in_a_real_terminal_and_quits_on_q(
    sandbox_factory: Callable[..., RunningSandbox], tmp_path_factory
) -> None:
    sandbox = sandbox_factory(seed="demo")
    home = tmp_path_factory.mktemp("tmux-home")
    env = {
        "CANVAS_INBOX_TOKEN": sandbox.token(DEMO_USER_ID),
        "CANVAS_INBOX_CONFIG": str(home / "config.toml"),
        "CANVAS_INBOX_CACHE_DIR": str(home / "cache"),
        "CANVAS_INBOX_DATA_DIR": str(home / "data"),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "TZ": "America/Chicago",
    }
    with terminal(["--url", sandbox.url], env=env) as term:
        screen = term.wait_for("Inbox")
        assert "Traceback" not in screen
        term.keys("q")
        term.wait_for(lambda _: not term.alive(), timeout=10)
