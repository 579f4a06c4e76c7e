"""Secrets Manager: the signing and hashing keys, read by version stage (AWSCURRENT, AWSPREVIOUS)."""

from functools import lru_cache
from typing import Any

from passaparola.settings import get_settings


class SecretUnavailable(Exception):
    """The secret could not be read: missing, not allowed, or Secrets Manager unreachable."""


@lru_cache(maxsize=1)
def _client() -> Any:
    """Created at the first read, from the models' botocore session: boto3 (some 60 modules, multiprocessing among
    them) stays off the cold start, and the session's loaded endpoint files are not parsed a second time."""
    from botocore.config import Config

    from passaparola.data.models import _shared_session

    config = Config(retries={"mode": "standard", "total_max_attempts": 3}, connect_timeout=3, read_timeout=5)
    return _shared_session().create_client("secretsmanager", region_name=get_settings().aws_region, config=config)


def read(secret_id: str, stage: str) -> str | None:
    """The secret's value at this version stage; None when no version has that stage (never rotated)."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        answer = _client().get_secret_value(SecretId=secret_id, VersionStage=stage)
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code == "ResourceNotFoundException" and stage != "AWSCURRENT":
            return None
        raise SecretUnavailable(f"{code or 'ClientError'}: {exc}") from exc
    except BotoCoreError as exc:
        raise SecretUnavailable(str(exc)) from exc
    value = answer.get("SecretString")
    return str(value) if value else None
