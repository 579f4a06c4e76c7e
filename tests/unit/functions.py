"""One event builder and one Lambda context for calling API functions in-process, as API Gateway would."""

import importlib.util
import json
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SECRET, PUBLISHABLE = "sk_test_unit", "pk_test_unit"


class LambdaContext:
    function_name = "test"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:test"
    aws_request_id = "test-request"

    def get_remaining_time_in_millis(self) -> int:
        return 15000


def load_function(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"unit_fn_{name}", ROOT / "functions" / name / "app.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def api_event(
    method: str,
    path: str,
    resource: str,
    body: Any = None,
    key: str | None = SECRET,
    headers: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
) -> dict[str, Any]:
    sent = {"Content-Type": "application/json"}
    if key:
        sent |= {"Authorization": f"Bearer {key}"} if key.startswith("sk_") else {"X-Publishable-Key": key}
    sent |= headers or {}
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": sent,
        "multiValueHeaders": {k: [v] for k, v in sent.items()},
        "queryStringParameters": query,
        "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} if query else None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {"requestId": "r", "stage": "test", "resourcePath": resource, "httpMethod": method},
        "body": body if isinstance(body, str) or body is None else json.dumps(body),
        "isBase64Encoded": False,
    }


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str]


def call(module: ModuleType, method: str, path: str, resource: str, body: Any = None, **kwargs: Any) -> Reply:
    result = module.lambda_handler(api_event(method, path, resource, body, **kwargs), LambdaContext())
    text = result["body"]
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = text
    headers = dict(result.get("headers") or {})
    headers |= {k: v[0] for k, v in (result.get("multiValueHeaders") or {}).items() if v}
    return Reply(result["statusCode"], parsed, headers)
