"""Where the CLI connects, with which key: flags, then PASSAPAROLA_* variables, then the profile file."""

from pathlib import Path

import pytest

from infra.cli.config import DEFAULT_URL, ConfigError, profiles_path, resolve
from infra.cli.main import main

PROFILES = """
[default]
url = "http://default.example"
key = "sk_default"

[prod]
url = "https://api.example/prod"
key = "sk_prod"

[urlonly]
url = "https://other.example/"
"""


@pytest.fixture
def profiles(tmp_path: Path) -> dict[str, str]:
    path = tmp_path / "profiles.toml"
    path.write_text(PROFILES, encoding="utf-8")
    return {"PASSAPAROLA_PROFILES": str(path)}


def test_flags_win_over_the_environment_which_wins_over_the_profile(profiles: dict[str, str]) -> None:
    env = {**profiles, "PASSAPAROLA_URL": "http://env.example", "PASSAPAROLA_SECRET_KEY": "sk_env"}
    assert resolve(url="http://flag.example", key="sk_flag", profile="prod", env=env) == resolve(
        url="http://flag.example", key="sk_flag", profile=None, env={}
    )
    chosen = resolve(url=None, key=None, profile="prod", env=env)
    assert (chosen.url, chosen.key) == ("http://env.example", "sk_env")
    chosen = resolve(url=None, key="sk_flag", profile="prod", env={**profiles, "PASSAPAROLA_URL": "http://env.example"})
    assert (chosen.url, chosen.key) == ("http://env.example", "sk_flag")
    chosen = resolve(url=None, key=None, profile="prod", env=profiles)
    assert (chosen.url, chosen.key) == ("https://api.example/prod", "sk_prod")


def test_the_default_profile_is_used_when_none_is_named_and_may_be_absent(profiles: dict[str, str]) -> None:
    chosen = resolve(url=None, key=None, profile=None, env=profiles)
    assert (chosen.url, chosen.key) == ("http://default.example", "sk_default")
    chosen = resolve(url=None, key="sk_x", profile=None, env={"PASSAPAROLA_PROFILES": "/nonexistent/p.toml"})
    assert (chosen.url, chosen.key) == (DEFAULT_URL, "sk_x")


def test_the_profile_can_be_named_by_the_environment_and_settings_mix(profiles: dict[str, str]) -> None:
    env = {**profiles, "PASSAPAROLA_PROFILE": "urlonly", "PASSAPAROLA_SECRET_KEY": "sk_env"}
    chosen = resolve(url=None, key=None, profile=None, env=env)
    assert (chosen.url, chosen.key) == ("https://other.example", "sk_env")  # trailing slash dropped


def test_a_named_profile_must_exist(profiles: dict[str, str]) -> None:
    with pytest.raises(ConfigError) as exc:
        resolve(url=None, key=None, profile="staging", env=profiles)
    assert exc.value.code == "profile_not_found"
    with pytest.raises(ConfigError) as exc:
        resolve(url=None, key=None, profile="prod", env={"PASSAPAROLA_PROFILES": "/nonexistent/p.toml"})
    assert exc.value.code == "profile_not_found"


def test_a_broken_profile_file_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "p.toml"
    bad.write_text("[prod\nurl=", encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        resolve(url=None, key=None, profile="prod", env={"PASSAPAROLA_PROFILES": str(bad)})
    assert exc.value.code == "bad_profile_file" and str(bad) in exc.value.message


def test_no_key_and_a_bad_url_are_refused_before_any_request() -> None:
    with pytest.raises(ConfigError) as exc:
        resolve(url=None, key=None, profile=None, env={})
    assert exc.value.code == "no_key"
    with pytest.raises(ConfigError) as exc:
        resolve(url="localhost:3000", key="sk", profile=None, env={})
    assert exc.value.code == "bad_url"


def test_profiles_live_under_xdg_config_home_or_home() -> None:
    assert profiles_path({"XDG_CONFIG_HOME": "/cfg"}) == Path("/cfg/passaparola/profiles.toml")
    assert profiles_path({}) == Path.home() / ".config" / "passaparola" / "profiles.toml"


def test_a_missing_key_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["keys", "list"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("passaparola: no_key: ") and err.count("\n") == 1


def test_the_cli_reads_its_profile_file(
    profiles: dict[str, str], monkeypatch: pytest.MonkeyPatch, fake_api, capsys: pytest.CaptureFixture[str]
) -> None:
    path = Path(profiles["PASSAPAROLA_PROFILES"])
    path.write_text(f'[local]\nurl = "{fake_api.url}"\nkey = "sk_from_profile"\n', encoding="utf-8")
    monkeypatch.setenv("PASSAPAROLA_PROFILES", str(path))
    fake_api.on("GET", "/v1/keys", (200, {"Content-Type": "application/json"}, b'{"items": []}'))
    assert main(["keys", "list", "--profile", "local"]) == 0
    assert fake_api.seen[0].headers["authorization"] == "Bearer sk_from_profile"
    monkeypatch.setenv("PASSAPAROLA_SECRET_KEY", "sk_from_env")
    assert main(["--profile", "local", "keys", "list"]) == 0
    assert fake_api.seen[1].headers["authorization"] == "Bearer sk_from_env"
    capsys.readouterr()
