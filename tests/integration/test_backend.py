"""The session's stack runs on the DynamoDB it was asked for (moto, or DynamoDB Local with
PASSAPAROLA_TEST_DYNAMODB=local): a CI step meant to prove the suite on Amazon's implementation cannot
silently fall back to moto."""

import requests


def test_the_stack_uses_the_dynamodb_the_session_asked_for(stack):
    health = requests.get(f"{stack.url}/health", timeout=10).json()

    if stack.dynamodb == "moto":
        assert health["dynamodb"] == "moto (in memory)"
    else:
        assert health["dynamodb"] == f"DynamoDB at {stack.dynamodb}"
