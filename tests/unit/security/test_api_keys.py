"""The API-key cache is bounded and remembers unknown keys briefly; the key CLI says when nothing was stored."""

import secrets
import subprocess
import sys

import pytest

from passaparola.api import keys
from passaparola.data import keys as repository
from tests.unit.functions import ROOT, SECRET


@pytest.fixture
def reads(aws: None, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every GetItem on the keys table."""
    seen: list[str] = []
    real = repository.get

    def counting(key_hash: str):  # type: ignore[no-untyped-def]
        seen.append(key_hash)
        return real(key_hash)

    monkeypatch.setattr(repository, "get", counting)
    keys._cache.clear()
    return seen


def test_a_flood_of_random_keys_does_not_grow_the_cache(reads: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("API_KEY_CACHE_SIZE", "50")
    from passaparola.settings import get_settings

    get_settings.cache_clear()
    for _ in range(500):
        assert keys.lookup("sk_prod_" + secrets.token_urlsafe(24)) is None
    assert len(keys._cache) == 50
    assert keys.lookup(SECRET) is not None  # the real key still works


def test_an_unknown_key_repeated_costs_one_read_per_negative_ttl(
    reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [1000.0]
    monkeypatch.setattr(keys.time, "monotonic", lambda: now[0])
    for _ in range(100):
        assert keys.lookup("sk_prod_wrong") is None
    assert len(reads) == 1
    now[0] += 9.9
    keys.lookup("sk_prod_wrong")
    assert len(reads) == 1
    now[0] += 0.2  # API_KEY_NEGATIVE_SECONDS (10 s) later: read again, so a key created since works
    keys.lookup("sk_prod_wrong")
    assert len(reads) == 2


def test_a_key_created_after_being_tried_works_once_the_negative_entry_expires(
    reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [1000.0]
    monkeypatch.setattr(keys.time, "monotonic", lambda: now[0])
    raw = keys.new_key("secret")
    assert keys.lookup(raw) is None
    keys.store_key(raw, "secret", "late")
    now[0] += 11
    found = keys.lookup(raw)
    assert found is not None and found.kind == "secret"


def test_known_keys_are_cached_for_api_key_cache_seconds(reads: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(keys.time, "monotonic", lambda: now[0])
    for _ in range(10):
        assert keys.lookup(SECRET) is not None
    now[0] += 30
    keys.lookup(SECRET)
    assert len(reads) == 1
    now[0] += 31
    keys.lookup(SECRET)
    assert len(reads) == 2


def test_the_least_recently_used_key_is_the_one_forgotten(reads: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("API_KEY_CACHE_SIZE", "3")
    from passaparola.settings import get_settings

    get_settings.cache_clear()
    keys.lookup(SECRET)
    for n in range(5):
        keys.lookup(f"sk_x_{n}")
        keys.lookup(SECRET)  # used all the time: never evicted
    assert reads.count(keys.hash_key(SECRET)) == 1


def test_create_exits_1_and_says_why_when_the_table_is_missing(
    aws: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("API_KEYS_TABLE", "no-such-table")
    from infra.local.invoke import reset_containers

    reset_containers()
    assert keys.main(["create", "--kind", "secret", "--name", "shop"]) == 1
    out, err = capsys.readouterr()
    assert out == ""  # no key printed: it was not stored
    assert "no-such-table" in err and "nothing was changed" in err and "ResourceNotFound" in err


def test_create_still_prints_the_key_when_stored(aws: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert keys.main(["create", "--kind", "publishable", "--name", "storefront"]) == 0
    raw = capsys.readouterr().out.strip()
    assert raw.startswith("pk_") and keys.lookup(raw) is not None


def test_make_keys_without_credentials_exits_non_zero_with_a_message(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "AWS_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(tmp_path / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "PYTHONPATH": str(ROOT / "layers" / "passaparola"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "passaparola.api.keys", "create", "--kind", "secret", "--name", "shop"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert done.stdout == ""
    assert "nothing was changed" in done.stderr and "credentials" in done.stderr.lower()
