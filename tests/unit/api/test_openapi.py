"""The generated OpenAPI document says what the API does: types, error statuses, media types, keys.

`make fuzz` (schemathesis against the local stack) checks the same over HTTP; these pin what it found.
"""

from pathlib import Path
from typing import Any

import jsonschema
import pytest

from infra.tools.openapi import REPO_ROOT, build_document, load_api_modules

METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    return build_document(load_api_modules(Path(REPO_ROOT) / "template.yaml"))


def operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(m, p, op) for p, item in doc["paths"].items() for m, op in item.items() if m in METHODS]


def conforms(doc: dict[str, Any], schema_name: str, instance: Any) -> None:
    """Validate `instance` against a component, with the document's own $refs resolvable."""
    schema = {"$ref": f"#/components/schemas/{schema_name}", "components": doc["components"]}
    jsonschema.validate(instance, schema, cls=jsonschema.Draft202012Validator)


def test_percent_off_is_a_number_in_the_schema_as_in_the_answer(doc):
    from passaparola.coupons.models import PercentDiscount

    answered = PercentDiscount(type="percent", percent_off="12.5", amount_limit=1500).model_dump(mode="json")
    assert answered["percent_off"] == 12.5
    conforms(doc, "PercentDiscount", answered)
    prop = doc["components"]["schemas"]["PercentDiscount"]["properties"]["percent_off"]
    assert prop["type"] == "number" and prop["exclusiveMinimum"] == 0 and prop["maximum"] == 100


def test_every_operation_documents_every_error_status_with_the_envelope(doc):
    for method, path, op in operations(doc):
        public = op["security"] == []
        expected = {"400", "404", "409", "422", "429", "5XX"} | (set() if public else {"401", "403"})
        missing = expected - set(op["responses"])
        assert not missing, f"{method.upper()} {path} does not document {sorted(missing)}"
        for status in expected:
            content = op["responses"][status]["content"]
            if (method, path, status) in OTHER_MEDIA_ERRORS:
                assert set(content) - {"application/json"}, (method, path, status)
            schema = content["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/Error"}, (method, path, status)
    assert "HTTPValidationError" not in doc["components"]["schemas"]


OTHER_MEDIA_ERRORS = {("get", "/admin/{proxy}", "404")}
"""Errors a route also answers in another media type: the console's 404 is a page for a browser."""


def test_the_error_envelope_is_what_the_api_sends(doc):
    from passaparola.api.errors import error_body
    from passaparola.errors import InvalidRequest

    conforms(doc, "Error", error_body(InvalidRequest("bad", {"fields": [{"field": "code"}]})))
    with pytest.raises(jsonschema.ValidationError):
        conforms(doc, "Error", {"error": {"code": "x"}})


def test_a_public_route_documents_the_errors_it_declares_itself(doc):
    unsubscribe = doc["paths"]["/v1/unsubscribe"]
    for method in ("get", "post"):
        assert unsubscribe[method]["security"] == []
        assert "401" in unsubscribe[method]["responses"], "an invalid link answers 401 invalid_token"
        content = unsubscribe[method]["responses"]["200"]["content"]
        assert content["application/json"]["schema"] == {"$ref": "#/components/schemas/Unsubscribed"}
        assert "text/html" in content
    assert "401" not in doc["paths"]["/r/{code}"]["get"]["responses"], "a redirect needs no key"


@pytest.mark.parametrize(
    ("path", "status", "media_type"),
    [
        ("/r/{code}", "302", "text/plain"),
        ("/r/{code}/qr", "200", "image/svg+xml"),
        ("/l/{campaign_id}/qr", "200", "image/svg+xml"),
        ("/v1/codes/{code}/qr", "200", "image/svg+xml"),
        ("/v1/campaigns/{campaign_id}/codes/export", "200", "text/csv"),
    ],
)
def test_non_json_answers_document_their_media_type(doc, path, status, media_type):
    assert list(doc["paths"][path]["get"]["responses"][status]["content"]) == [media_type]


def test_security_schemes_let_a_client_send_both_keys(doc):
    schemes = doc["components"]["securitySchemes"]
    assert schemes["secretKey"] == {**schemes["secretKey"], "type": "http", "scheme": "bearer"}
    assert schemes["publishableKey"]["in"] == "header" and schemes["publishableKey"]["name"] == "X-Publishable-Key"
    validate = doc["paths"]["/v1/coupons/validate"]["post"]
    assert validate["security"] == [{"secretKey": []}, {"publishableKey": []}]


@pytest.mark.parametrize(
    ("schema_name", "field", "good", "bad"),
    [
        ("ValidateRequest", "code", " summer-10 ", "SUMMER 10"),
        ("ValidateRequest", "code", "A" * 64, "A" * 65),
    ],
)
def test_rules_the_code_enforces_are_in_the_schema(doc, schema_name, field, good, bad):
    prop = {"$ref": f"#/components/schemas/{schema_name}/properties/{field}", "components": doc["components"]}
    jsonschema.validate(good, prop, cls=jsonschema.Draft202012Validator)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, prop, cls=jsonschema.Draft202012Validator)


def test_the_leaderboard_period_and_share_urls_are_constrained(doc):
    params = doc["paths"]["/v1/reports/leaderboard"]["get"]["parameters"]
    period = next(p for p in params if p["name"] == "period")["schema"]
    for good in ("all", "year", "month", "2026", "2026-12"):
        jsonschema.validate(good, period)
    for bad in ("2026-13", "week", "26"):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, period)
    landing = {"$ref": "#/components/schemas/ReferralCampaign/properties/landing_url", "components": doc["components"]}
    jsonschema.validate("https://shop.example/spring?x=1", landing, cls=jsonschema.Draft202012Validator)
    for bad in ("ftp://shop.example/", "https://shop.example/#top", "shop.example/page"):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, landing, cls=jsonschema.Draft202012Validator)
