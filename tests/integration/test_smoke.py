"""`make smoke` (infra/tools/smoke.py) against the session's local stack: every step, the clean-up, clear failures."""

from __future__ import annotations

import io

import pytest
import requests

from infra.tools.smoke import Smoke, StepFailed, main

pytestmark = pytest.mark.integration

STEPS = [
    "health",
    "create a discount campaign",
    "create a code",
    "validate the code on a 50.00 EUR order",
    "redeem it",
    "roll the redemption back",
    "clean-up: switch the code off",
    "clean-up: disable the campaign",
]


def get(stack, path: str) -> dict:
    resp = requests.get(f"{stack.url}{path}", headers={"Authorization": f"Bearer {stack.secret_key}"}, timeout=30)
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_the_smoke_test_passes_every_step_and_switches_off_what_it_created(stack):
    out = io.StringIO()
    smoke = Smoke(stack.url, stack.secret_key, out=out)

    assert smoke.run() == 0, out.getvalue()

    lines = out.getvalue().splitlines()
    assert [line.split(" (")[0].removeprefix("ok    ") for line in lines[1:-1]] == STEPS, lines
    assert lines[-1] == "smoke test passed"
    assert get(stack, f"/v1/campaigns/{smoke.campaign_id}")["enabled"] is False
    code = get(stack, f"/v1/codes/{smoke.code}")
    assert code["switched_off_at"] and code["redemptions"] == 0  # rolled back


def test_a_wrong_key_fails_the_first_step_clearly_and_creates_nothing(stack):
    out = io.StringIO()

    assert Smoke(stack.url, "sk_not_a_key", out=out).run() == 1

    text = out.getvalue()
    assert "FAIL  health: GET /v1/campaigns?limit=1 answered 401" in text, text
    assert "clean-up" not in text
    assert text.splitlines()[-1] == "smoke test FAILED (1 step(s))"


def test_a_failing_step_stops_the_run_and_the_clean_up_still_happens(stack):
    class BrokenValidate(Smoke):
        def validate(self) -> str:
            raise StepFailed("validate answered 500")

    out = io.StringIO()
    smoke = BrokenValidate(stack.url, stack.secret_key, out=out)

    assert smoke.run() == 1

    text = out.getvalue()
    assert "FAIL  validate the code on a 50.00 EUR order: validate answered 500" in text
    assert "redeem it" not in text
    assert "ok    clean-up: switch the code off" in text and "ok    clean-up: disable the campaign" in text
    assert get(stack, f"/v1/campaigns/{smoke.campaign_id}")["enabled"] is False


def test_the_command_needs_a_url_and_a_key(capsys):
    assert main(["--url", "https://example.com"]) == 2
    assert "make smoke URL=https://... KEY=sk_..." in capsys.readouterr().err
