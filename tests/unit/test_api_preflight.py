"""ApiPreflightsAsText: the custom resource that sets CONVERT_TO_TEXT on SAM's CORS preflight mocks."""

import json
from typing import Any

import pytest

from tests.unit.functions import load_function


class FakeApiGateway:
    """get_resources (paginated), update_integration(_response), create_deployment - recorded."""

    def __init__(self, pages: list[list[dict[str, Any]]], throttle_first: int = 0) -> None:
        self.pages, self.calls, self.throttle = pages, [], throttle_first

    def get_paginator(self, name: str) -> Any:
        assert name == "get_resources"
        fake = self

        class Paginator:
            def paginate(self, **kwargs: Any) -> Any:
                assert kwargs["embed"] == ["methods"]
                return ({"items": page} for page in fake.pages)

        return Paginator()

    def _record(self, name: str, **kwargs: Any) -> dict[str, Any]:
        if self.throttle:
            self.throttle -= 1
            raise type("TooManyRequestsException", (Exception,), {})()
        self.calls.append((name, kwargs))
        return {}

    def update_integration(self, **kwargs: Any) -> dict[str, Any]:
        return self._record("update_integration", **kwargs)

    def update_integration_response(self, **kwargs: Any) -> dict[str, Any]:
        return self._record("update_integration_response", **kwargs)

    def create_deployment(self, **kwargs: Any) -> dict[str, Any]:
        return self._record("create_deployment", **kwargs)


def mock(resource_id: str) -> dict[str, Any]:
    integration = {"type": "MOCK", "integrationResponses": {"200": {}}}
    return {"id": resource_id, "resourceMethods": {"OPTIONS": {"methodIntegration": integration}, "GET": {}}}


def test_every_preflight_mock_is_converted_to_text_then_the_stage_redeployed(monkeypatch: pytest.MonkeyPatch) -> None:
    fn = load_function("api_preflight")
    monkeypatch.setattr(fn.time, "sleep", lambda _: None)
    lambda_only = {"id": "r3", "resourceMethods": {"OPTIONS": {"methodIntegration": {"type": "AWS_PROXY"}}}}
    client = FakeApiGateway([[mock("r1"), {"id": "root"}], [mock("r2"), lambda_only]], throttle_first=2)
    assert fn.preflights_as_text(client, "api1", "prod") == 2
    convert = [{"op": "replace", "path": "/contentHandling", "value": "CONVERT_TO_TEXT"}]
    ids = lambda r: {"restApiId": "api1", "resourceId": r, "httpMethod": "OPTIONS"}  # noqa: E731
    assert client.calls == [
        ("update_integration", {**ids("r1"), "patchOperations": convert}),
        ("update_integration_response", {**ids("r1"), "statusCode": "200", "patchOperations": convert}),
        ("update_integration", {**ids("r2"), "patchOperations": convert}),
        ("update_integration_response", {**ids("r2"), "statusCode": "200", "patchOperations": convert}),
        (
            "create_deployment",
            {"restApiId": "api1", "stageName": "prod", "description": "CORS preflights as text (BinaryMediaTypes */*)"},
        ),
    ]


def test_cloudformation_always_gets_an_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    fn = load_function("api_preflight")
    sent: list[dict[str, Any]] = []

    class Answer:
        def __enter__(self) -> "Answer":
            return self

        def __exit__(self, *_: object) -> None:
            return None

        def read(self) -> bytes:
            return b""

    def urlopen(request: Any, timeout: int) -> Answer:
        assert request.get_method() == "PUT" and request.full_url == "https://s3.test/answer"
        sent.append(json.loads(request.data))
        return Answer()

    monkeypatch.setattr(fn.urllib.request, "urlopen", urlopen)
    event = {
        "RequestType": "Delete",
        "ResponseURL": "https://s3.test/answer",
        "StackId": "stack",
        "RequestId": "req",
        "LogicalResourceId": "ApiPreflightsAsText",
        "PhysicalResourceId": "api1-preflights",
        "ResourceProperties": {"RestApiId": "api1", "StageName": "prod"},
    }
    fn.lambda_handler(event, None)
    assert sent[-1]["Status"] == "SUCCESS" and sent[-1]["PhysicalResourceId"] == "api1-preflights"

    def broken(*_: object, **__: object) -> int:
        raise RuntimeError("no access")

    monkeypatch.setattr(fn, "preflights_as_text", broken)
    monkeypatch.setitem(__import__("sys").modules, "boto3", type("B", (), {"client": staticmethod(lambda _: None)}))
    fn.lambda_handler({**event, "RequestType": "Update"}, None)
    assert sent[-1]["Status"] == "FAILED" and "no access" in sent[-1]["Reason"]
