"""``canvas-inbox`` with no command: find the account, build the service, run the app.

Only what the first paint needs is imported before the app runs: the service module is
importable without httpx, and ``InboxService.start()`` (which loads the network stack)
is called by the app after it has painted the cached inbox.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from canvas_inbox.config import Settings
    from canvas_inbox.service import InboxAPI


def build_service(
    base_url: str,
    token: str,
    cache_dir: Path | None,
    settings: Settings,
    *,
    drafts_path: Path | None = None,
    **extra: Any,
) -> InboxAPI:
    """``drafts_path`` None keeps drafts beside the cache (the demo's throwaway school)."""
    from canvas_inbox.service import InboxService, ServiceSettings

    service_settings = ServiceSettings(poll_interval=settings.poll_interval, **extra)
    cache_path = cache_dir / "cache.sqlite3" if cache_dir is not None else None
    service: InboxAPI = InboxService(
        base_url=base_url,
        token=token,
        cache_path=cache_path,
        drafts_path=drafts_path,
        settings=service_settings,
    )
    return service


def run_app(
    service: InboxAPI,
    settings: Settings,
    *,
    profile: str | None = None,
    base_url: str | None = None,
) -> int | str:
    """Run the app; an int is the exit code, a str the profile to restart on."""
    from canvas_inbox.ui.app import CanvasInboxApp, SwitchProfile

    app = CanvasInboxApp(service, settings, profile=profile, base_url=base_url)
    result = app.run()
    if isinstance(result, SwitchProfile):
        return result.name
    return int(app.return_code or 0)


def _login_first() -> bool:
    """No profile at all: run ui-compose's login screen on its own, then carry on."""
    try:
        from canvas_inbox.ui.screens.login import LoginScreen
    except ImportError:
        return False
    from textual.app import App

    class LoginApp(App[object]):
        def on_mount(self) -> None:
            self.push_screen(LoginScreen(), self.exit)

    result = LoginApp().run()
    return result is not None


def run_tui(args: argparse.Namespace) -> int:
    from canvas_inbox.accounts import AccountError, resolve_connection
    from canvas_inbox.config import ConfigError, load_config

    try:
        config = load_config()
    except ConfigError as error:
        print(f"canvas-inbox: {error}", file=sys.stderr)
        return 1
    profile = getattr(args, "profile", None)
    url = getattr(args, "url", None)
    try:
        connection = resolve_connection(profile, url, config=config)
    except AccountError as error:
        if not config.profiles and not url and not profile and _login_first():
            return run_tui(args)
        print(f"canvas-inbox: {error}", file=sys.stderr)
        return 1
    service = build_service(
        connection.base_url,
        connection.token,
        connection.cache_dir,
        config.settings,
        drafts_path=connection.drafts_path,
    )
    outcome = run_app(
        service, config.settings, profile=connection.profile, base_url=connection.base_url
    )
    if isinstance(outcome, str):
        # Switched account, or logged in again: start over on that profile.
        return run_tui(argparse.Namespace(profile=outcome, url=None))
    return outcome
