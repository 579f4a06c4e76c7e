"""`make storefront-upload`: the script lands in the stack's bucket with its content type and cache policy."""

import sys

import boto3
import pytest
from moto import mock_aws

from infra.tools import storefront


def test_the_script_is_uploaded_to_the_stacks_bucket(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="storefront-bucket")
        found = {
            "StorefrontBucketName": "storefront-bucket",
            "StorefrontScriptUrl": "https://d111.cloudfront.net/passaparola.js",
            "ApiUrl": "https://api.example/prod",
        }
        monkeypatch.setattr(storefront, "outputs", lambda stack: found)
        monkeypatch.setattr(sys, "argv", ["storefront", "--stack-name", "shop"])
        storefront.main()
        obj = s3.get_object(Bucket="storefront-bucket", Key="passaparola.js")
        assert obj["ContentType"].startswith("application/javascript")
        assert obj["CacheControl"] == storefront.CACHE_CONTROL
        assert obj["Body"].read() == storefront.SCRIPT.read_bytes()
    assert 'src="https://d111.cloudfront.net/passaparola.js"' in capsys.readouterr().out


def test_a_stack_without_the_cdn_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(storefront, "outputs", lambda stack: {"ApiUrl": "x"})
    monkeypatch.setattr(sys, "argv", ["storefront"])
    with pytest.raises(SystemExit, match="CreateStorefrontCdn"):
        storefront.main()
