"""AWS DynamoDB Local (Amazon's own implementation, a Java program) for the local stack and the tests.

The jar ships in the npm package `amplify-dynamodb-simulator`, pinned in infra/dynamodb-local/
(package.json + package-lock.json); `npm ci` there is the whole installation (the npm registry only, no
install scripts). Java 17+ runs it. moto keeps serving SQS, SNS, SES and EventBridge: only DynamoDB moves.

`python -m infra.local.dynamodb_local [--port 8000] [--db-path DIR | --in-memory] [-- command ...]` starts
it (installing it first if needed); with a command, runs that command with DYNAMODB_ENDPOINT_URL pointing at
it and stops DynamoDB Local when the command ends (`make run-dynamodb-local`).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import IO

from infra.local.aws import free_port

REPO_ROOT = Path(__file__).resolve().parents[2]
PROJECT = REPO_ROOT / "infra" / "dynamodb-local"
EMULATOR = PROJECT / "node_modules" / "amplify-dynamodb-simulator" / "emulator"
JAR = EMULATOR / "DynamoDBLocal.jar"
START_TIMEOUT = 60.0


class DynamoDBLocalError(RuntimeError):
    """DynamoDB Local cannot be installed or started; the message says what to do."""


def ensure_installed() -> Path:
    """The jar, installed from the pinned lock file (`npm ci`) when missing."""
    if JAR.exists():
        return JAR
    npm = shutil.which("npm")
    if npm is None:
        raise DynamoDBLocalError("DynamoDB Local is not installed and npm is not on the PATH (install Node.js 18+).")
    done = subprocess.run(  # noqa: S603 - fixed arguments
        [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0 or not JAR.exists():
        raise DynamoDBLocalError(f"npm ci in {PROJECT} failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    JAR.touch()  # npm dates files 1985: newer than the lock file, so `make` does not install again
    return JAR


def java() -> str:
    home = os.environ.get("JAVA_HOME")
    path = str(Path(home) / "bin" / "java") if home else shutil.which("java")
    if not path or not Path(path).exists():
        raise DynamoDBLocalError("DynamoDB Local needs Java 17 or later: no `java` on the PATH and no JAVA_HOME.")
    return path


class DynamoDBLocal:
    """One DynamoDB Local process: in memory (`db_path=None`) or persisted in `db_path`.

    `-sharedDb`: one database whatever the credentials and region of the caller, so the AWS CLI or another
    tool sees the stack's tables. `-disableTelemetry`: DynamoDB Local would otherwise report usage to AWS.
    """

    def __init__(self, port: int | None = None, db_path: Path | None = None, log: IO[bytes] | None = None) -> None:
        self.port = port or free_port()
        self.db_path = db_path
        self._log = log
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        storage = ["-dbPath", str(self.db_path)] if self.db_path else ["-inMemory"]
        return [
            java(),
            f"-Djava.library.path={EMULATOR / 'DynamoDBLocal_lib'}",
            "-jar",
            str(JAR),
            "-sharedDb",
            "-disableTelemetry",
            "-port",
            str(self.port),
            *storage,
        ]

    def start(self) -> DynamoDBLocal:
        ensure_installed()
        if self.db_path:
            self.db_path.mkdir(parents=True, exist_ok=True)
        out = self._log if self._log is not None else subprocess.DEVNULL
        self._proc = subprocess.Popen(self.command(), cwd=EMULATOR, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
        deadline = time.monotonic() + START_TIMEOUT
        while not self._answers():
            if self._proc.poll() is not None:
                raise DynamoDBLocalError(
                    f"DynamoDB Local exited with {self._proc.returncode} (port {self.port} taken?)"
                )
            if time.monotonic() > deadline:
                self.stop()
                raise DynamoDBLocalError(f"DynamoDB Local did not answer on {self.url} within {START_TIMEOUT:.0f}s")
            time.sleep(0.2)
        return self

    def _answers(self) -> bool:
        """A ListTables call answers (any signature is accepted by DynamoDB Local)."""
        req = urllib.request.Request(  # noqa: S310 - loopback URL
            self.url,
            data=json.dumps({}).encode(),
            headers={
                "Content-Type": "application/x-amz-json-1.0",
                "X-Amz-Target": "DynamoDB_20120810.ListTables",
                "Authorization": (
                    "AWS4-HMAC-SHA256 Credential=local/20200101/us-east-1/dynamodb/aws4_request, "
                    "SignedHeaders=host, Signature=0"
                ),
            },
        )
        try:
            with urllib.request.urlopen(req, timeout=2) as resp:  # noqa: S310
                return bool(resp.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def stop(self) -> None:
        if self._proc is None:
            return
        self._proc.terminate()
        try:
            self._proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait(timeout=5)
        self._proc = None

    def terminate(self, _signum: int = signal.SIGTERM) -> None:
        """SIGTERM whatever the signal received: a JVM started in the background ignores SIGINT."""
        if self._proc is not None:
            self._proc.terminate()

    def wait(self) -> int:
        assert self._proc is not None
        return self._proc.wait()


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command: list[str] = []
    if "--" in argv:
        command = argv[argv.index("--") + 1 :]
        argv = argv[: argv.index("--")]
    parser = argparse.ArgumentParser(prog="python -m infra.local.dynamodb_local", description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("DYNAMODB_PORT") or 8000))
    storage = parser.add_mutually_exclusive_group()
    storage.add_argument("--db-path", type=Path, default=Path(".dynamodb"), help="data directory (default .dynamodb)")
    storage.add_argument("--in-memory", action="store_true", help="keep nothing on disk")
    args = parser.parse_args(argv)
    db = DynamoDBLocal(args.port, None if args.in_memory else args.db_path.resolve())
    try:
        db.start()
    except DynamoDBLocalError as exc:
        print(exc, file=sys.stderr)
        return 1
    where = "in memory" if args.in_memory else f"data in {args.db_path}"
    print(f"DynamoDB Local at {db.url} ({where})", file=sys.stderr, flush=True)
    try:
        if not command:
            _forward_signals(db.terminate)
            code = db.wait()
            return 0 if code in (-signal.SIGTERM, 128 + signal.SIGTERM) else code  # stopped as asked
        env = {**os.environ, "DYNAMODB_ENDPOINT_URL": db.url}
        child = subprocess.Popen(command, env=env)  # noqa: S603 - the user's own command
        _forward_signals(child.send_signal)
        return child.wait()
    finally:
        db.stop()


def _forward_signals(send: Callable[[int], None]) -> None:
    """Ctrl-C or a SIGTERM ends the command (or DynamoDB Local) gracefully; DynamoDB Local is stopped after it."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda signum, _frame: send(signum))


if __name__ == "__main__":
    sys.exit(main())
