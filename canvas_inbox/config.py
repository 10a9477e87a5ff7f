"""Profiles and settings in one TOML file. The token is never written here.

The file lives in the platform's config directory (``CANVAS_INBOX_CONFIG`` overrides
the path, for tests and for people who keep dotfiles elsewhere). It is read with the
stdlib's ``tomllib`` and validated by msgspec, strictly: an unknown or mistyped key is an
error that names the key, because a silently ignored setting is worse than a refusal.
"""

from __future__ import annotations

import os
import tempfile
import tomllib
from pathlib import Path
from typing import Annotated, Literal

import msgspec

APP_NAME = "canvas-inbox"
CONFIG_ENV = "CANVAS_INBOX_CONFIG"
CACHE_ENV = "CANVAS_INBOX_CACHE_DIR"
DATA_ENV = "CANVAS_INBOX_DATA_DIR"

KeymapPreset = Literal["default", "mutt"]


class Settings(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Everything a user may tune. Each field's default is what a new user gets."""

    # Seconds between unread-count checks while the app is in use (slower when idle).
    poll_interval: Annotated[float, msgspec.Meta(ge=5, le=3600)] = 30.0
    # Open threads without marking them read ("peek"); U / I still mark explicitly.
    peek: bool = False
    # A toast with sender and subject when new mail arrives.
    notify: bool = True
    # Ring the terminal bell on new mail.
    bell: bool = False
    # A program run on new mail, with CANVAS_INBOX_SENDER / _SUBJECT in its environment.
    new_mail_command: str | None = None
    # Key presets: Gmail-and-vim ("default") or mutt's habits.
    keymap: KeymapPreset = "default"
    # Binding id -> keys, e.g. {"reply" = "r", "archive" = "e,A"}: applied over the preset.
    keys: dict[str, str] = msgspec.field(default_factory=dict)
    # Editor for ctrl+e in the composer; falls back to $VISUAL, $EDITOR, then vi.
    editor: str | None = None
    theme: str = "textual-dark"
    # Dates are shown in this IANA zone (e.g. "Europe/Berlin"); unset: the machine's own.
    timezone: str | None = None
    # "12h" or "24h" clock; unset: what the user's locale uses.
    time_format: Literal["12h", "24h"] | None = None


class Profile(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """One Canvas account. Identified by its name (the TOML table's key)."""

    url: str
    user_id: int | None = None
    user_name: str | None = None
    login_id: str | None = None
    # A program whose first line of output is the token (``pass show canvas``), for
    # machines with no keyring; run without a shell, its answer never stored.
    token_command: str | None = None


class Config(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    default_profile: str | None = None
    settings: Settings = msgspec.field(default_factory=Settings)
    profiles: dict[str, Profile] = msgspec.field(default_factory=dict)


class ConfigError(Exception):
    """The config file cannot be used; ``str()`` says where and why, in one line."""


def config_path() -> Path:
    override = os.environ.get(CONFIG_ENV)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_config_path

    return user_config_path(APP_NAME) / "config.toml"


def cache_root() -> Path:
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_cache_path

    return user_cache_path(APP_NAME)


def data_root() -> Path:
    """Where the user's own writing (drafts, outbox) lives: not the cache directory,
    which OS cleaners and ``logout --purge-cache`` may empty."""
    override = os.environ.get(DATA_ENV)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_path

    return user_data_path(APP_NAME)


def load_config(path: Path | None = None) -> Config:
    """Read and validate the config file; a missing file is an empty config."""
    path = path or config_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Config()
    except OSError as error:
        raise ConfigError(f"{path}: cannot read ({error.strerror})") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: not valid TOML ({error})") from None
    # Profiles are checked one by one so that an error can name the profile.
    profiles = data.pop("profiles", {})
    try:
        config = msgspec.convert(data, Config)
        if not isinstance(profiles, dict):
            raise ConfigError(f"{path}: profiles: expected a table of profiles")
        for name, table in profiles.items():
            where = f"profiles.{name}"
            try:
                config.profiles[name] = msgspec.convert(table, Profile)
            except msgspec.ValidationError as error:
                raise ConfigError(f"{path}: {_explain(error, where)}") from None
    except msgspec.ValidationError as error:
        raise ConfigError(f"{path}: {_explain(error)}") from None
    return config


def save_config(config: Config, path: Path | None = None) -> None:
    """Write atomically, so a crash never leaves half a config."""
    import tomli_w

    path = path or config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    data = msgspec.to_builtins(config)
    text = tomli_w.dumps(_drop_none(data))
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".config-", suffix=".toml")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _drop_none(value: object) -> object:
    # TOML has no null: an unset optional is simply absent.
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    return value


def _explain(error: msgspec.ValidationError, prefix: str = "") -> str:
    """Turn msgspec's "Expected `float`, got `str` - at `$.settings.poll_interval`" into
    "settings.poll_interval: expected float, got str"."""
    message = str(error)
    where = ""
    if " - at `$" in message:
        message, _, location = message.rpartition(" - at `$")
        where = location.rstrip("`").lstrip(".")
    where = ".".join(part for part in (prefix, where) if part)
    if message.startswith("Object contains unknown field `"):
        name = message.removeprefix("Object contains unknown field `").rstrip("`")
        key = f"{where}.{name}" if where else name
        return f"unknown key '{key}'"
    message = message.replace("`", "")
    message = message[:1].lower() + message[1:]
    return f"{where}: {message}" if where else message
