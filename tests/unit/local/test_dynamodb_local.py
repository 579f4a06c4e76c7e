"""How DynamoDB Local is found and started (no Java is run here; `make test-dynamodb-local` runs it)."""

from pathlib import Path

import pytest

from infra.local import dynamodb_local
from infra.local.dynamodb_local import DynamoDBLocal, DynamoDBLocalError


def test_in_memory_by_default_one_shared_database_and_no_telemetry(monkeypatch):
    monkeypatch.setattr(dynamodb_local, "java", lambda: "java")

    cmd = DynamoDBLocal(port=8123).command()

    assert cmd[:2] == ["java", f"-Djava.library.path={dynamodb_local.EMULATOR / 'DynamoDBLocal_lib'}"]
    assert cmd[2:4] == ["-jar", str(dynamodb_local.JAR)]
    assert cmd[4:] == ["-sharedDb", "-disableTelemetry", "-port", "8123", "-inMemory"]


def test_a_data_directory_keeps_the_data(monkeypatch, tmp_path):
    monkeypatch.setattr(dynamodb_local, "java", lambda: "java")

    cmd = DynamoDBLocal(port=8123, db_path=tmp_path).command()

    assert cmd[-2:] == ["-dbPath", str(tmp_path)] and "-inMemory" not in cmd


def test_without_npm_the_error_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setattr(dynamodb_local, "JAR", Path(tmp_path / "missing.jar"))
    monkeypatch.setattr(dynamodb_local.shutil, "which", lambda _: None)

    with pytest.raises(DynamoDBLocalError, match="npm"):
        dynamodb_local.ensure_installed()


def test_without_java_the_error_says_what_to_install(monkeypatch):
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setattr(dynamodb_local.shutil, "which", lambda _: None)

    with pytest.raises(DynamoDBLocalError, match="Java 17"):
        dynamodb_local.java()
