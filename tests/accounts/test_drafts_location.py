"""Drafts and the outbox are the user's own writing: they live in the data directory,
so emptying the cache (``logout --purge-cache``, an OS cleaner) never takes them."""

from __future__ import annotations

from canvas_inbox import config, credentials
from canvas_inbox.accounts import logout, resolve_connection
from canvas_inbox.config import Config, Profile, save_config
from canvas_inbox.service import Draft
from canvas_inbox.ui.launch import build_service


async def test_a_draft_survives_logout_with_purge_cache() -> None:
    save_config(Config(profiles={"uni": Profile(url="https://uni.instructure.com", user_id=1)}))
    credentials.set_token("uni", "tok-uni")
    connection = resolve_connection("uni")
    assert not connection.drafts_path.is_relative_to(config.cache_root())

    service = build_service(
        connection.base_url,
        connection.token,
        connection.cache_dir,
        config.Settings(),
        drafts_path=connection.drafts_path,
    )
    service.save_draft(Draft(id="d1", subject="Lab report", body="half of what I meant"))
    assert connection.cache_path.exists()  # the cache really was written, and is purged
    await service.aclose()
    logout("uni", purge_cache=True)
    assert not connection.cache_dir.exists()

    credentials.set_token("uni", "tok-uni")  # log in again
    again = build_service(
        connection.base_url,
        connection.token,
        connection.cache_dir,
        config.Settings(),
        drafts_path=resolve_connection("uni").drafts_path,
    )
    assert [(d.id, d.body) for d in again.drafts()] == [("d1", "half of what I meant")]
    await again.aclose()
