"""Accounts: log in, log out, list profiles, and find the connection a command uses.

``login`` checks the token with ``GET /api/v1/users/self`` before keeping anything, stores
the token in the keyring and only the profile (URL, user) in the config file.
``resolve_connection`` is what every command calls: ``CANVAS_INBOX_TOKEN`` wins over the
keyring (as ``GH_TOKEN`` does for gh), and ``--url`` works with no saved profile at all.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import ipaddress
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from canvas_inbox import config as config_module
from canvas_inbox import credentials
from canvas_inbox.config import Config, ConfigError, Profile
from canvas_inbox.loopback import is_loopback

if TYPE_CHECKING:
    import httpx

LOGIN_HINT = (
    "Make a token in Canvas: Account → Settings → Approved Integrations → "
    "+ New Access Token. Paste it here (it is not shown)."
)


class AccountError(Exception):
    """A problem with the account or its setup; ``str()`` is one line for the user."""


@dataclass(frozen=True, slots=True)
class Connection:
    profile: str | None
    base_url: str
    token: str = field(repr=False)
    cache_dir: Path
    user_id: int | None = None

    @property
    def cache_path(self) -> Path:
        return self.cache_dir / "cache.sqlite3"

    @property
    def drafts_path(self) -> Path:
        # Beside the config, not the cache: a cache cleaner must never eat what was typed.
        return config_module.data_root() / self.cache_dir.name / "drafts.sqlite3"


# --- URLs ---------------------------------------------------------------------------


_HOST = re.compile(
    r"^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$"
)


def normalize_url(raw: str) -> str:
    """Turn what people paste into the site's origin: ``school.instructure.com/courses/12/``
    becomes ``https://school.instructure.com``. Plain http is refused except on loopback."""
    text = raw.strip()
    if not text:
        raise AccountError(
            "Enter your school's Canvas address, e.g. https://school.instructure.com"
        )
    if "://" not in text:
        text = f"https://{text}"
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise AccountError(f"'{_shown(raw)}' is not a web address") from None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if scheme not in ("http", "https"):
        raise AccountError(f"'{_shown(raw)}' is not a web address (use https://…)")
    if not host or not (_HOST.match(host) or _is_ip(host)):
        raise AccountError(f"'{_shown(raw)}' has no valid host name")
    if parts.username or parts.password:
        raise AccountError("Leave the user name and password out of the address")
    if scheme == "http" and not is_loopback(host):
        raise AccountError(
            f"Refusing plain http:// for {host}: your token would travel unencrypted (use https://)"
        )
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != {"http": 80, "https": 443}[scheme]:
        netloc = f"{netloc}:{port}"
    return f"{scheme}://{netloc}"


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _shown(raw: str) -> str:
    # Echo what the user typed, but as one short printable line.
    text = "".join(ch if ch.isprintable() else " " for ch in raw.strip())
    return text if len(text) <= 60 else text[:59] + "…"


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def default_profile_name(url: str) -> str:
    host = urlsplit(url).hostname or "canvas"
    if is_loopback(host):
        return "local"
    return host.split(".")[0] or host


# --- finding the connection ------------------------------------------------------------


def _load() -> Config:
    try:
        return config_module.load_config()
    except ConfigError as error:
        raise AccountError(str(error)) from None


def _cache_dir(name: str) -> Path:
    # Profile names come from the user; keep them to one safe path component.
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", name).strip(".") or "default"
    return config_module.cache_root() / safe


def pick_profile(config: Config, requested: str | None) -> tuple[str, Profile]:
    if requested:
        if requested not in config.profiles:
            known = ", ".join(sorted(config.profiles)) or "none yet"
            raise AccountError(f"No profile named '{requested}' (profiles: {known})")
        return requested, config.profiles[requested]
    if config.default_profile in config.profiles:
        name = config.default_profile
        assert name is not None
        return name, config.profiles[name]
    if len(config.profiles) == 1:
        return next(iter(config.profiles.items()))
    if not config.profiles:
        raise AccountError(
            "Not logged in: run  canvas-inbox login --url https://your-school.instructure.com"
            "  (or try  canvas-inbox --demo)"
        )
    raise AccountError(
        f"Several profiles and no default: pass --profile ({', '.join(sorted(config.profiles))})"
    )


def resolve_connection(
    profile: str | None = None, url: str | None = None, *, config: Config | None = None
) -> Connection:
    """The URL and token a command should use. Raises AccountError with the remedy."""
    config = config if config is not None else _load()
    token = credentials.env_token()
    if url:
        base_url = normalize_url(url)
        matching = [n for n, p in config.profiles.items() if p.url == base_url]
        name = profile or (matching[0] if matching else None)
        if token is None and name is not None:
            token = _keyring_token(name)
        if token is None:
            raise AccountError(
                f"No token for {base_url}: set {credentials.TOKEN_ENV}, "
                f"or run  canvas-inbox login --url {base_url}"
            )
        cache_key = name or urlsplit(base_url).netloc.replace(":", "_")
        user_id = config.profiles[name].user_id if name in config.profiles else None
        return Connection(name, base_url, token, _cache_dir(cache_key), user_id)
    name, chosen = pick_profile(config, profile)
    if token is None:
        token = _keyring_token(name)
    if token is None:
        raise AccountError(
            f"No token for profile '{name}': run  canvas-inbox login --url {chosen.url}"
        )
    return Connection(name, chosen.url, token, _cache_dir(name), chosen.user_id)


def _keyring_token(name: str) -> str | None:
    try:
        return credentials.get_token(name)
    except credentials.KeyringUnavailable as error:
        raise AccountError(str(error)) from None


# --- login and logout --------------------------------------------------------------------


async def check_token(
    base_url: str, token: str, *, transport: httpx.AsyncBaseTransport | None = None
) -> Profile:
    """Ask Canvas who this token belongs to; every failure is one AccountError line."""
    from canvas_inbox import canvas

    host = urlsplit(base_url).netloc
    try:
        async with canvas.CanvasClient(base_url, token, transport=transport) as client:
            user = await client.get_self()
    except ValueError as error:  # a mangled token (a pasted line break…) or address
        raise AccountError(_sentence(str(error))) from None
    except canvas.ExpiredToken:
        raise AccountError(
            "That token has expired: make a new one in Canvas (Account → Settings)"
        ) from None
    except canvas.AuthenticationError:
        raise AccountError(
            f"{host} did not accept that token: check it was copied whole, or make a new one"
        ) from None
    except canvas.NetworkError as error:
        # The client's line already names the host and the reason (refused, DNS, TLS…).
        raise AccountError(_sentence(str(error))) from None
    except canvas.UnexpectedResponse as error:
        if error.redirect_to:
            raise AccountError(
                f"{base_url} sends you on to {error.redirect_to}: log in with "
                f"--url {error.redirect_to}"
            ) from None
        raise AccountError(f"{base_url} does not look like a Canvas site (no API there)") from None
    except canvas.NotFound:
        raise AccountError(f"{base_url} does not look like a Canvas site (no API there)") from None
    except canvas.CanvasError as error:
        raise AccountError(f"{host}: {error}") from None
    return Profile(
        url=base_url,
        user_id=user.id,
        user_name=user.name,
        login_id=getattr(user, "login_id", None),
    )


async def login(
    url: str,
    token: str,
    profile: str | None = None,
    *,
    make_default: bool = False,
    transport: httpx.AsyncBaseTransport | None = None,
) -> tuple[str, Profile]:
    """Check the token, keep it in the keyring, write the profile. Returns (name, profile)."""
    base_url = normalize_url(url)
    token = token.strip()
    if not token:
        raise AccountError("No token given. " + LOGIN_HINT.split(". Paste")[0])
    checked = await check_token(base_url, token, transport=transport)
    config = _load()
    name = profile or default_profile_name(base_url)
    try:
        credentials.set_token(name, token)
    except credentials.KeyringUnavailable as error:
        raise AccountError(str(error)) from None
    is_new = name not in config.profiles
    config.profiles[name] = checked
    if make_default or config.default_profile not in config.profiles:
        config.default_profile = name
    try:
        config_module.save_config(config)
    except OSError as error:
        if is_new:  # no profile will point at it: do not leave the token behind
            with contextlib.suppress(credentials.KeyringUnavailable):
                credentials.delete_token(name)
        raise AccountError(
            f"Could not write {config_module.config_path()} ({error.strerror or error})"
        ) from None
    return name, checked


def logout(profile: str | None = None, *, purge_cache: bool = False) -> str:
    """Forget the token of a profile (the default one if none named). Returns its name."""
    config = _load()
    name, _ = pick_profile(config, profile)
    try:
        credentials.delete_token(name)
    except credentials.KeyringUnavailable as error:
        raise AccountError(str(error)) from None
    if purge_cache:
        shutil.rmtree(_cache_dir(name), ignore_errors=True)
    return name


def list_profiles() -> list[tuple[str, Profile, bool]]:
    """(name, profile, is_default) for every saved profile, by name."""
    config = _load()
    default = config.default_profile
    if default not in config.profiles and len(config.profiles) == 1:
        default = next(iter(config.profiles))
    return [(name, config.profiles[name], name == default) for name in sorted(config.profiles)]


# --- the commands ----------------------------------------------------------------------


def _read_token() -> str:
    if sys.stdin.isatty():
        print(LOGIN_HINT, file=sys.stderr)
        return getpass.getpass("Access token: ")
    # Piped in (scripts, password managers): first line of stdin, never echoed.
    return sys.stdin.readline()


def cmd_login(args: argparse.Namespace) -> int:
    try:
        base_url = normalize_url(args.url)
        token = _read_token()
        name, profile = asyncio.run(login(base_url, token, args.profile, make_default=args.default))
    except AccountError as error:
        print(f"canvas-inbox: {error}", file=sys.stderr)
        return 1
    except EOFError:
        print("canvas-inbox: no token given", file=sys.stderr)
        return 1
    who = profile.user_name or f"user {profile.user_id}"
    print(f"Logged in to {base_url} as {who} (profile '{name}').")
    return 0


def cmd_logout(args: argparse.Namespace) -> int:
    try:
        name = logout(args.profile, purge_cache=args.purge_cache)
    except AccountError as error:
        print(f"canvas-inbox: {error}", file=sys.stderr)
        return 1
    extra = " and its cache" if args.purge_cache else ""
    print(f"Forgot the token of profile '{name}'{extra}.")
    return 0


def cmd_profiles(args: argparse.Namespace) -> int:
    try:
        rows = list_profiles()
    except AccountError as error:
        print(f"canvas-inbox: {error}", file=sys.stderr)
        return 1
    if not rows:
        print("No profiles yet: run  canvas-inbox login --url https://your-school.instructure.com")
        return 0
    for name, profile, is_default in rows:
        mark = "*" if is_default else " "
        who = profile.user_name or ""
        print(f"{mark} {name:<16} {profile.url:<40} {who}".rstrip())
    return 0
