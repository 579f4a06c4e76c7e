"""Settings are read from the environment by their variable names, as template.yaml and the local stack set them."""

import pydantic
import pytest

from passaparola.settings import Settings


def test_variables_are_read_by_name_and_typed() -> None:
    s = Settings.model_validate(
        {
            "CODES_TABLE": "shop-codes",
            "API_KEY_CACHE_SECONDS": "5",
            "MESSAGE_SEND_TIMEOUT_SECONDS": "2.5",
            "AWS_SAM_LOCAL": "true",
            "DYNAMODB_ENDPOINT_URL": "http://127.0.0.1:8000",
            "PATH": "/usr/bin",
        }
    )
    assert s.codes_table == "shop-codes"
    assert s.api_key_cache_seconds == 5
    assert s.message_send_timeout_seconds == 2.5
    assert s.aws_sam_local is True
    assert s.dynamodb_endpoint_url == "http://127.0.0.1:8000"


def test_unset_variables_take_the_defaults() -> None:
    s = Settings.model_validate({})
    assert (s.stage, s.codes_table, s.dynamodb_endpoint_url, s.aws_sam_local) == (
        "local",
        "passaparola-codes",
        None,
        False,
    )
    assert s.development_keys
    assert isinstance(s.message_send_timeout_seconds, float)  # defaults are validated too


def test_a_deployed_function_never_uses_development_keys() -> None:
    deployed = Settings.model_validate({"AWS_LAMBDA_FUNCTION_NAME": "passaparola-coupons"})
    assert not deployed.development_keys
    under_sam_local = Settings.model_validate({"AWS_LAMBDA_FUNCTION_NAME": "x", "AWS_SAM_LOCAL": "1"})
    assert under_sam_local.development_keys


def test_a_malformed_number_is_refused_at_start_not_at_first_use() -> None:
    with pytest.raises(pydantic.ValidationError, match="API_KEY_CACHE_SECONDS"):
        Settings.model_validate({"API_KEY_CACHE_SECONDS": "a minute"})


def test_settings_are_frozen() -> None:
    with pytest.raises(pydantic.ValidationError):
        Settings.model_validate({}).stage = "prod"  # type: ignore[misc]
