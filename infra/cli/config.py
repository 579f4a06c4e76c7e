"""Where the CLI sends its requests and with which key: flags, then the environment, then a profile file.

A profile keeps a deployed stack's URL and key out of the shell history: `~/.config/passaparola/profiles.toml`
(`$XDG_CONFIG_HOME` is honoured; `PASSAPAROLA_PROFILES` names another file), one table per profile:

    [prod]
    url = "https://abc.execute-api.eu-west-1.amazonaws.com/prod"
    key = "sk_prod_..."
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_URL = "http://127.0.0.1:3000"
DEFAULT_PROFILE = "default"


class ConfigError(Exception):
    """A configuration the CLI cannot work with: reported as a usage error (exit 2)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Config:
    url: str
    key: str
    timeout: float = 60.0


def profiles_path(env: Mapping[str, str]) -> Path:
    if env.get("PASSAPAROLA_PROFILES"):
        return Path(env["PASSAPAROLA_PROFILES"]).expanduser()
    base = Path(env["XDG_CONFIG_HOME"]) if env.get("XDG_CONFIG_HOME") else Path.home() / ".config"
    return base / "passaparola" / "profiles.toml"


def load_profile(path: Path, name: str, *, required: bool) -> dict[str, str]:
    """The profile's url and key; {} when the file or an implicit `default` profile is absent."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        if required:
            raise ConfigError("profile_not_found", f"no profile file at {path} (profile {name!r})") from None
        return {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError("bad_profile_file", f"{path}: {exc}") from None
    section = data.get(name)
    if section is None:
        if required:
            raise ConfigError("profile_not_found", f"no profile {name!r} in {path}")
        return {}
    if not isinstance(section, dict):
        raise ConfigError("bad_profile_file", f"{path}: [{name}] must be a table with url and key")
    out: dict[str, str] = {}
    for field in ("url", "key"):
        value = section.get(field)
        if value is not None and not isinstance(value, str):
            raise ConfigError("bad_profile_file", f"{path}: [{name}] {field} must be a string")
        if value:
            out[field] = value
    return out


def resolve(
    *,
    url: str | None,
    key: str | None,
    profile: str | None,
    timeout: float | None = None,
    env: Mapping[str, str] | None = None,
    need_key: bool = True,
) -> Config:
    """Each setting from the first source that has it: flag, environment, profile, then the default.

    A profile named by `--profile` (or `PASSAPAROLA_PROFILE`) must exist; the implicit `default` may be absent.
    """
    env = os.environ if env is None else env
    name = profile or env.get("PASSAPAROLA_PROFILE") or None
    from_file = load_profile(profiles_path(env), name or DEFAULT_PROFILE, required=name is not None)
    chosen_url = url or env.get("PASSAPAROLA_URL") or from_file.get("url") or DEFAULT_URL
    chosen_key = key or env.get("PASSAPAROLA_SECRET_KEY") or from_file.get("key") or ""
    if not chosen_url.startswith(("http://", "https://")):
        raise ConfigError("bad_url", f"the API URL must start with http:// or https://: {chosen_url!r}")
    if need_key and not chosen_key:
        raise ConfigError(
            "no_key", "no secret key: give --key, set PASSAPAROLA_SECRET_KEY, or use a profile (--profile NAME)"
        )
    return Config(url=chosen_url.rstrip("/"), key=chosen_key, timeout=timeout or 60.0)
