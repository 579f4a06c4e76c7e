"""Routing and the API Gateway REST proxy event/response mapping (no server)."""

import base64
import gzip

from infra.local.gateway import HttpResponse, Router, accepted_encodings, build_event, compress, map_response
from infra.local.template import ApiEvent

ROUTER = Router(
    [
        ApiEvent("F", "/items/{id}", "GET"),
        ApiEvent("F", "/items/special", "GET"),
        ApiEvent("F", "/items", "POST"),
        ApiEvent("G", "/items/{id}/parts/{part}", "ANY"),
        ApiEvent("F", "/files/{proxy+}", "ANY"),
    ]
)


def test_literal_beats_parameter() -> None:
    route, params, _ = ROUTER.resolve("GET", "/items/special")
    assert route and route.event.path == "/items/special" and params == {}
    route, params, _ = ROUTER.resolve("GET", "/items/it%20em/")
    assert route and route.event.path == "/items/{id}" and params == {"id": "it em"}


def test_greedy_and_any() -> None:
    route, params, _ = ROUTER.resolve("DELETE", "/files/a/b/c.txt")
    assert route and params == {"proxy": "a/b/c.txt"}
    assert ROUTER.resolve("GET", "/files")[0] is None  # {proxy+} needs at least one segment
    route, params, _ = ROUTER.resolve("PUT", "/items/1/parts/2")
    assert route and route.event.function_id == "G" and params == {"id": "1", "part": "2"}


def test_unknown_path_and_wrong_method() -> None:
    assert ROUTER.resolve("GET", "/nothing") == (None, {}, [])
    route, _, allowed = ROUTER.resolve("DELETE", "/items")
    assert route is None and allowed == ["POST"]


def test_event_shape() -> None:
    route, params, _ = ROUTER.resolve("GET", "/items/42")
    assert route
    event = build_event(
        method="GET",
        raw_path="/items/42?a=1&a=2&b=",
        headers=[("Authorization", "Bearer x"), ("X-Multi", "1"), ("X-Multi", "2")],
        body=b"",
        route=route,
        path_params=params,
        source_ip="127.0.0.1",
        stage="local",
    )
    assert event["resource"] == "/items/{id}" and event["path"] == "/items/42" and event["httpMethod"] == "GET"
    assert event["headers"]["Authorization"] == "Bearer x"
    assert event["multiValueHeaders"]["X-Multi"] == ["1", "2"]
    assert event["queryStringParameters"] == {"a": "2", "b": ""}
    assert event["multiValueQueryStringParameters"] == {"a": ["1", "2"], "b": [""]}
    assert event["pathParameters"] == {"id": "42"} and event["stageVariables"] is None
    ctx = event["requestContext"]
    assert ctx["stage"] == "local" and ctx["resourcePath"] == "/items/{id}" and ctx["httpMethod"] == "GET"
    assert ctx["identity"]["sourceIp"] == "127.0.0.1" and ctx["requestId"]
    assert event["body"] is None and event["isBase64Encoded"] is False


def test_body_is_text_unless_a_binary_media_type_matches() -> None:
    route, params, _ = ROUTER.resolve("POST", "/items")
    assert route

    def event(content_type: str) -> dict:
        return build_event(
            method="POST",
            raw_path="/items",
            headers=[("Content-Type", content_type)],
            body=b"\xff\x00",
            route=route,
            path_params=params,
            source_ip="::1",
            stage="local",
            binary_media_types=["image~1*"],
        )

    text = event("application/json")
    assert text["isBase64Encoded"] is False and text["body"] == "\ufffd\x00"  # like API Gateway: no binary type
    binary = event("image/png")
    assert binary["isBase64Encoded"] is True and base64.b64decode(binary["body"]) == b"\xff\x00"
    assert binary["pathParameters"] is None


def test_response_mapping() -> None:
    resp = map_response(
        {
            "statusCode": 201,
            "headers": {"Content-Type": "image/png", "X-One": "1"},
            "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},
            "body": base64.b64encode(b"\x89PNG").decode(),
            "isBase64Encoded": True,
        }
    )
    assert resp.status == 201 and resp.body == b"\x89PNG"
    assert ("Set-Cookie", "a=1") in resp.headers and ("Set-Cookie", "b=2") in resp.headers
    assert ("X-One", "1") in resp.headers
    assert map_response({"body": "no status"}).status == 502


def test_accept_encoding_preferences() -> None:
    assert accepted_encodings("gzip, deflate, br") == ["gzip", "deflate", "br"]
    assert accepted_encodings("deflate;q=0.5, gzip;q=0.9, identity;q=0") == ["gzip", "deflate"]
    assert accepted_encodings("") == []


def test_compression_follows_minimum_compression_size() -> None:
    big = HttpResponse(200, [("Content-Type", "text/javascript")], b"x" * 2000)
    assert compress(big, "gzip, deflate", None) is big  # not set in the template: never
    assert compress(big, "gzip", 2001) is big  # smaller than the minimum
    assert compress(big, "br", 1024) is big  # nothing the client takes that API Gateway makes
    out = compress(big, "gzip, deflate", 1024)
    assert ("Content-Encoding", "gzip") in out.headers and gzip.decompress(out.body) == big.body
    encoded = HttpResponse(200, [("Content-Encoding", "br")], b"y" * 2000)
    assert compress(encoded, "gzip", 0) is encoded  # the function encoded it already
    assert compress(HttpResponse(304, [], b""), "gzip", 0).headers == []


def test_a_base64_body_is_decoded_only_for_a_first_accept_type_that_is_binary() -> None:
    """API Gateway's rule: bytes when the request's first Accept type matches BinaryMediaTypes, else base64 text."""
    from infra.local.gateway import accepts_binary

    result = {"statusCode": 200, "body": base64.b64encode(b"PK\x03\x04").decode(), "isBase64Encoded": True}
    listed = ["application~1vnd.apple.pkpass", "text~1html"]
    assert map_response(result, "application/vnd.apple.pkpass", listed).body == b"PK\x03\x04"
    assert map_response(result, "text/html,application/xhtml+xml,*/*;q=0.8", listed).body == b"PK\x03\x04"
    assert map_response(result, "*/*", listed).body == result["body"].encode()  # fetch(), and maybe Wallet
    assert map_response(result, None, listed).body == result["body"].encode()
    assert map_response(result, "application/json, application/vnd.apple.pkpass", listed).body != b"PK\x03\x04"
    everything = ["*~1*"]
    for accept in ("*/*", "application/json", "text/html"):
        assert map_response(result, accept, everything).body == b"PK\x03\x04", accept
    text = {"statusCode": 200, "body": '{"a": 1}', "isBase64Encoded": False}
    assert map_response(text, "*/*", everything).body == b'{"a": 1}'  # text passes unchanged
    assert map_response(result).body == b"PK\x03\x04"  # no types given: decoded, as before
    assert accepts_binary("*/*", everything) and not accepts_binary("*/*", listed)
