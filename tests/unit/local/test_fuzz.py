"""`make fuzz`'s glue: the schemathesis config it writes and the figures it reads back."""

import json
import tomllib

from infra.tools.fuzz import CHECKS, config_text, summarize


def test_the_config_sends_both_keys_and_offers_seeded_ids() -> None:
    config = tomllib.loads(config_text({"campaign_id": ["cmp_1", "cmp_2"], "code": ["FUZZ10"]}))
    assert config["auth"]["openapi"]["secretKey"] == {"bearer": "sk_local_dev"}
    assert config["auth"]["openapi"]["publishableKey"] == {"api_key": "pk_local_dev"}
    assert config["dictionaries"]["campaign_id"]["values"] == ["cmp_1", "cmp_2"]
    assert config["parameters"]["path.code"] == {"dictionary": "code", "probability": 0.5}


def test_every_check_the_issue_asks_for_fails_the_run() -> None:
    assert set(CHECKS.split(",")) == {
        "not_a_server_error",
        "response_schema_conformance",
        "status_code_conformance",
        "content_type_conformance",
    }


def test_figures_count_requests_statuses_and_failing_operations(tmp_path) -> None:
    def scenario(label: str, statuses: list[int], failed: str | None = None) -> str:
        interactions = {str(i): {"response": {"status_code": s}} for i, s in enumerate(statuses)}
        checks = {"0": [{"name": failed or "not_a_server_error", "status": "failure" if failed else "success"}]}
        recorder = {"label": label, "interactions": interactions, "checks": checks}
        return json.dumps({"ScenarioFinished": {"recorder": recorder}})

    events = tmp_path / "ndjson-1.ndjson"
    lines = [
        json.dumps({"ScenarioStarted": {}}),
        scenario("GET /v1/campaigns", [200, 400, 400]),
        scenario("GET /r/{code}", [302, 500], failed="not_a_server_error"),
    ]
    events.write_text("\n".join(lines), encoding="utf-8")
    figures = summarize(events)
    assert figures["requests"] == 5
    assert figures["statuses"] == {"2xx": 1, "3xx": 1, "4xx": 2, "5xx": 1}
    assert figures["failing_operations"] == {"not_a_server_error": ["GET /r/{code}"]}
