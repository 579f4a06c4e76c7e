"""A CloudFormation custom resource that makes the API's CORS preflights survive `BinaryMediaTypes: */*`.

With `*/*` every request and response is a binary candidate, and the `OPTIONS` mock integrations SAM generates from
the Api's `Cors` property then fail (500 "Unable to transform request": the mock's JSON mapping template cannot be
applied to a binary payload). API Gateway's fix is `contentHandling: CONVERT_TO_TEXT` on those integrations, which
SAM's `Cors` cannot express (aws/serverless-application-model#553). So after every deployment of the API (the custom
resource takes `Api.Deployment` as a property: a new deployment is an update) this sets it on every OPTIONS
integration and its responses, then deploys the stage again. The local stack answers preflights itself.
"""

import json
import time
import urllib.request
from typing import Any

CONVERT = [{"op": "replace", "path": "/contentHandling", "value": "CONVERT_TO_TEXT"}]


def preflights_as_text(client: Any, rest_api_id: str, stage: str) -> int:
    """Set CONVERT_TO_TEXT on every OPTIONS mock integration (and its responses) and redeploy; how many."""
    patched = 0
    for page in client.get_paginator("get_resources").paginate(restApiId=rest_api_id, embed=["methods"]):
        for resource in page["items"]:
            method = (resource.get("resourceMethods") or {}).get("OPTIONS")
            if method is None:
                continue
            integration = method.get("methodIntegration") or {}
            if integration.get("type") != "MOCK":
                continue
            ids = {"restApiId": rest_api_id, "resourceId": resource["id"], "httpMethod": "OPTIONS"}
            _retry(lambda ids=ids: client.update_integration(**ids, patchOperations=CONVERT))
            for status in integration.get("integrationResponses") or {}:
                _retry(
                    lambda ids=ids, status=status: client.update_integration_response(
                        **ids, statusCode=status, patchOperations=CONVERT
                    )
                )
            patched += 1
    _retry(
        lambda: client.create_deployment(
            restApiId=rest_api_id, stageName=stage, description="CORS preflights as text (BinaryMediaTypes */*)"
        )
    )
    return patched


def _retry(call: Any, attempts: int = 8) -> Any:
    """The control plane throttles (TooManyRequestsException) a burst of updates: back off and go on."""
    for attempt in range(attempts):
        try:
            return call()
        except Exception as exc:
            if type(exc).__name__ != "TooManyRequestsException" or attempt == attempts - 1:
                raise
            time.sleep(min(2**attempt * 0.5, 10))
    return None


def lambda_handler(event: dict[str, Any], context: Any) -> None:
    status, reason, data = "SUCCESS", "", {}
    try:
        if event["RequestType"] in ("Create", "Update"):
            import boto3

            props = event["ResourceProperties"]
            data["Patched"] = preflights_as_text(boto3.client("apigateway"), props["RestApiId"], props["StageName"])
    except Exception as exc:  # CloudFormation must always get an answer, or it waits an hour
        status, reason = "FAILED", f"{type(exc).__name__}: {exc}"[:500]
    _answer(event, context, status, reason, data)


def _answer(event: dict[str, Any], context: Any, status: str, reason: str, data: dict[str, Any]) -> None:
    body = {
        "Status": status,
        "Reason": reason or f"see {getattr(context, 'log_stream_name', 'the log')}",
        "PhysicalResourceId": event.get("PhysicalResourceId")
        or f"{event['ResourceProperties']['RestApiId']}-preflights",
        "StackId": event["StackId"],
        "RequestId": event["RequestId"],
        "LogicalResourceId": event["LogicalResourceId"],
        "Data": data,
    }
    request = urllib.request.Request(  # noqa: S310 - the pre-signed S3 URL CloudFormation gave
        event["ResponseURL"], data=json.dumps(body).encode(), method="PUT", headers={"Content-Type": ""}
    )
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
        answer.read()
