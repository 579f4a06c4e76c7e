"""Argument parsing, the requests each command makes, one-line errors and exit codes (0, 1, 2, 3)."""

import json
import socket
from pathlib import Path

import pytest

from infra.cli.main import main
from tests.unit.cli.conftest import KEY, reply_error, reply_json

BATCH = {
    "id": "bat_1",
    "campaign_id": "cmp_1",
    "requested": 2000,
    "created": 0,
    "status": "pending",
    "pattern": "********",
    "created_at": "2026-01-01T00:00:00Z",
    "completed_at": None,
}


def one_error_line(err: str, code: str) -> None:
    assert err.startswith(f"passaparola: {code}: "), err
    assert err.count("\n") == 1, err


# ------------------------------------------------------------------ usage: exit 2, nothing sent


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["keys"],
        ["nope"],
        ["keys", "create"],  # --name is required
        ["keys", "create", "--name", "x", "--kind", "admin"],
        ["codes", "generate", "--campaign", "cmp_1", "--count", "0"],
        ["codes", "generate", "--campaign", "cmp_1", "--count", "many"],
        ["codes", "export", "--batch", "b"],  # a batch is read through its campaign
        ["segments", "changes"],  # --since is required
        ["payouts", "export", "--period", "2026-13"],
        ["payouts", "paid", "po_1"],  # --reference is required
        ["webhooks", "replay", "whk_1"],  # --event or a range
        ["webhooks", "replay", "whk_1", "--event", "evt_1", "--since", "2026-01-01"],
        ["webhooks", "replay", "whk_1", "--since", "yesterday", "--until", "2026-01-02"],
        ["points", "import", "/nonexistent/file.csv", "--name", "n"],
    ],
)
def test_usage_errors_are_one_line_and_exit_2_without_a_request(run, fake_api, argv: list[str]) -> None:
    code, out, err = run(*argv)
    assert code == 2, err
    assert out == ""
    assert err.startswith("passaparola: "), err
    assert err.count("\n") == 1, err
    assert fake_api.seen == []


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["codes", "generate", "--help"])
    assert exc.value.code == 0
    assert "--count" in capsys.readouterr().out


def test_connection_options_go_before_or_after_the_command(fake_api, capsys: pytest.CaptureFixture[str]) -> None:
    fake_api.on("GET", "/v1/keys", reply_json(200, {"items": []}))
    assert main(["--url", fake_api.url, "--key", KEY, "keys", "list"]) == 0
    assert main(["keys", "--url", fake_api.url, "list", "--key", KEY]) == 0
    assert len(fake_api.seen) == 2
    capsys.readouterr()


# ------------------------------------------------------------------ API errors: exit 1; network: exit 3


def test_an_api_error_is_its_code_and_message_on_one_line_exit_1(run, fake_api) -> None:
    fake_api.on("POST", "/v1/keys/sk_nope/revoke", reply_error(404, "not_found", "No API key with this prefix."))
    code, out, err = run("keys", "revoke", "sk_nope")
    assert code == 1 and out == ""
    assert err == "passaparola: not_found: No API key with this prefix.\n"


def test_invalid_request_names_its_fields_on_the_same_line(run, fake_api) -> None:
    details = {"fields": [{"field": "name", "message": "too long", "type": "string_too_long"}]}
    fake_api.on("POST", "/v1/keys", reply_error(400, "invalid_request", "Invalid request.", details))
    code, _, err = run("keys", "create", "--name", "x" * 101)
    assert code == 1
    assert err == "passaparola: invalid_request: Invalid request. (name: too long)\n"


def test_a_non_json_error_is_named_by_its_status_and_gets_retried_when_safe(run, fake_api) -> None:
    fake_api.on("GET", "/v1/keys", (502, {"Content-Type": "text/html"}, b"<html>\n Bad   gateway\n</html>"))
    code, _, err = run("keys", "list")
    assert code == 1
    assert err == "passaparola: http_502: <html> Bad gateway </html>\n"
    assert len(fake_api.seen) == 4  # a GET is tried 4 times on 502


def test_a_get_is_retried_after_503_and_then_succeeds(run, fake_api) -> None:
    answers = [reply_error(503, "unavailable", "try later"), reply_json(200, {"items": []})]
    fake_api.on("GET", "/v1/keys", lambda _seen: answers.pop(0))
    code, out, _ = run("keys", "list")
    assert code == 0 and out.startswith("PREFIX")
    assert len(fake_api.seen) == 2


def test_a_post_that_makes_something_is_not_retried(run, fake_api) -> None:
    fake_api.on("POST", "/v1/keys", reply_error(503, "unavailable", "try later"))
    code, _, err = run("keys", "create", "--name", "n")
    assert code == 1 and err == "passaparola: unavailable: try later\n"
    assert len(fake_api.seen) == 1


def test_no_answer_is_exit_3(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert main(["keys", "list", "--url", f"http://127.0.0.1:{port}", "--key", KEY]) == 3
    out, err = capsys.readouterr()
    assert out == ""
    one_error_line(err, "network")
    assert f"127.0.0.1:{port}/v1/keys" in err


# ------------------------------------------------------------------ keys


def test_keys_list_create_revoke(run, fake_api) -> None:
    key = {"prefix": "sk_local_AbCdEfGh", "kind": "secret", "name": "shop", "created_at": "2026-01-01T00:00:00Z"}
    fake_api.on("GET", "/v1/keys", reply_json(200, {"items": [{**key, "revoked_at": None}]}))
    fake_api.on("POST", "/v1/keys", reply_json(201, {**key, "revoked_at": None, "key": "sk_local_AbCdEfGh_rest"}))
    fake_api.on(
        "POST", "/v1/keys/sk_local_AbCdEfG/revoke", reply_json(200, {**key, "revoked_at": "2026-01-02T00:00:00Z"})
    )

    code, out, _ = run("keys", "list")
    assert code == 0
    assert out.splitlines()[0].split() == ["PREFIX", "KIND", "NAME", "CREATED_AT", "REVOKED_AT"]
    assert out.splitlines()[1].split() == ["sk_local_AbCdEfGh", "secret", "shop", "2026-01-01T00:00:00Z", "-"]

    code, out, err = run("keys", "create", "--name", "shop")
    assert (code, out) == (0, "sk_local_AbCdEfGh_rest\n")  # the key alone on stdout: KEY=$(passaparola keys create)
    assert "shown this once" in err
    assert fake_api.seen[-1].json() == {"kind": "secret", "name": "shop"}
    assert fake_api.seen[-1].headers["authorization"] == f"Bearer {KEY}"

    code, out, _ = run("keys", "revoke", "sk_local_AbCdEfGh_rest")  # the whole key: revoked by its 16-char prefix
    assert code == 0 and out.startswith("revoked sk_local_AbCdEfGh")

    code, out, _ = run("keys", "list", "--json")
    assert json.loads(out)["items"][0]["name"] == "shop"


# ------------------------------------------------------------------ codes generate: the batch, followed


def test_codes_generate_follows_the_batch_to_completion(run, fake_api) -> None:
    progress = [
        {**BATCH, "status": "running", "created": 500},
        {**BATCH, "status": "running", "created": 1500},
        {**BATCH, "status": "completed", "created": 2000, "completed_at": "2026-01-01T00:00:09Z"},
    ]
    fake_api.on("POST", "/v1/campaigns/cmp_1/codes", reply_json(202, {"created": 0, "codes": [], "batch": BATCH}))
    fake_api.on("GET", "/v1/campaigns/cmp_1/batches/bat_1", lambda _s: reply_json(200, progress.pop(0)))
    code, out, err = run("codes", "generate", "--campaign", "cmp_1", "--count", "2,000", "--prefix", "SPR-")
    assert code == 0, err
    assert out == "bat_1\n"
    posted = fake_api.seen[0]
    assert posted.json() == {"count": 2000, "prefix": "SPR-"}
    assert posted.headers["idempotency-key"].startswith("cli-")
    assert len(fake_api.seen) == 4
    lines = err.splitlines()  # not a terminal: plain lines, the last one always
    assert lines[0] == "codes: 0/2,000 (0%)"
    assert "codes: 2,000/2,000 (100%), in " in err
    assert "codes export --campaign cmp_1 --batch bat_1" in lines[-1]


def test_a_failed_batch_is_exit_1(run, fake_api) -> None:
    fake_api.on("POST", "/v1/campaigns/cmp_1/codes", reply_json(202, {"created": 0, "codes": [], "batch": BATCH}))
    fake_api.on(
        "GET", "/v1/campaigns/cmp_1/batches/bat_1", reply_json(200, {**BATCH, "status": "failed", "created": 1000})
    )
    code, out, err = run("codes", "generate", "--campaign", "cmp_1", "--count", "2000")
    assert code == 1 and out == ""
    assert err.splitlines()[-1] == "passaparola: batch_failed: batch bat_1 failed after 1,000 of 2,000 codes"


def test_codes_generate_no_wait_prints_the_batch_at_once(run, fake_api) -> None:
    fake_api.on("POST", "/v1/campaigns/cmp_1/codes", reply_json(202, {"created": 0, "codes": [], "batch": BATCH}))
    code, out, _ = run("codes", "generate", "--campaign", "cmp_1", "--count", "2000", "--no-wait")
    assert (code, out) == (0, "bat_1\n")
    assert len(fake_api.seen) == 1


def test_a_small_count_prints_the_codes(run, fake_api) -> None:
    codes = [{"code": "AAA1"}, {"code": "BBB2"}]
    fake_api.on("POST", "/v1/campaigns/cmp_1/codes", reply_json(201, {"created": 2, "codes": codes, "batch": None}))
    code, out, _ = run("codes", "generate", "--campaign", "cmp_1", "--count", "2")
    assert (code, out) == (0, "AAA1\nBBB2\n")


# ------------------------------------------------------------------ webhooks, payouts, customers


def test_webhooks_commands(run, fake_api) -> None:
    hook = {"id": "whk_1", "url": "https://shop.example/hook", "events": ["coupon.redeemed"], "enabled": True}
    fake_api.on("GET", "/v1/webhooks", reply_json(200, {"items": [{**hook, "description": None}]}))
    fake_api.on("POST", "/v1/webhooks", reply_json(201, {**hook, "secret": "whsec_abc"}))
    fake_api.on("POST", "/v1/webhooks/whk_1/test", reply_json(202, {"status_code": 200, "duration_ms": 12, "ok": True}))
    fake_api.on("POST", "/v1/webhooks/whk_2/test", reply_json(202, {"status_code": 500, "duration_ms": 7, "ok": False}))
    fake_api.on("POST", "/v1/webhooks/whk_1/replay", reply_json(202, {"queued": 3}))
    delivery = {"id": "d1", "event_id": "evt_1", "event_type": "coupon.redeemed", "attempt": 1, "status": "failed"}
    fake_api.on("GET", "/v1/webhooks/whk_1/deliveries", reply_json(200, {"items": [delivery], "next_cursor": "c2"}))

    code, out, _ = run("webhooks", "list")
    assert code == 0 and "https://shop.example/hook" in out and "coupon.redeemed" in out
    code, out, _ = run("webhooks", "create", "https://shop.example/hook", "--events", "coupon.redeemed, referral.*")
    assert (code, out) == (0, "whk_1 whsec_abc\n")
    assert fake_api.seen[-1].json() == {"url": "https://shop.example/hook", "events": ["coupon.redeemed", "referral.*"]}
    code, out, _ = run("webhooks", "test", "whk_1")
    assert (code, out) == (0, "ok: answered 200 in 12 ms\n")
    code, out, err = run("webhooks", "test", "whk_2")
    assert code == 1 and err == "passaparola: ping_failed: whk_2: answered 500 in 7 ms\n"
    code, out, _ = run("webhooks", "replay", "whk_1", "--event", "evt_1")
    assert (code, out) == (0, "queued 3\n")
    assert fake_api.seen[-1].json() == {"event_id": "evt_1"}
    run("webhooks", "replay", "whk_1", "--since", "2026-01-01", "--until", "2026-01-02T12:00:00Z", "--types", "a.b")
    assert fake_api.seen[-1].json() == {
        "since": "2026-01-01T00:00:00Z",
        "until": "2026-01-02T12:00:00Z",
        "types": ["a.b"],
    }
    code, out, err = run("webhooks", "deliveries", "whk_1", "--status", "failed")
    assert code == 0 and "evt_1" in out and "--cursor c2" in err
    assert fake_api.seen[-1].query == {"status": "failed", "limit": "50"}


def test_payouts_paid_and_already_paid(run, fake_api) -> None:
    payout = {"id": "po_2026-01_x_EUR", "amount": 1500, "currency": "EUR", "reference": "SEPA-1", "status": "paid"}
    answers = [reply_json(200, payout), reply_error(409, "payout_already_paid", "This payout is already paid.")]
    fake_api.on("POST", "/v1/payouts/po_2026-01_x_EUR/paid", lambda _s: answers.pop(0))
    code, out, _ = run("payouts", "paid", "po_2026-01_x_EUR", "--reference", "SEPA-1")
    assert code == 0 and out == "paid po_2026-01_x_EUR: 1500 EUR (reference SEPA-1)\n"
    assert fake_api.seen[-1].json() == {"reference": "SEPA-1"}
    code, _, err = run("payouts", "paid", "po_2026-01_x_EUR", "--reference", "SEPA-1")
    assert code == 1 and err == "passaparola: payout_already_paid: This payout is already paid.\n"


def test_customers_export_writes_json_with_the_id_encoded(run, fake_api, tmp_path: Path) -> None:
    fake_api.on("GET", "/v1/customers/auth0|a b/export", reply_json(200, {"customer_id": "auth0|a b", "facts": {}}))
    code, out, _ = run("customers", "export", "auth0|a b")
    assert code == 0 and json.loads(out)["customer_id"] == "auth0|a b"
    target = tmp_path / "c.json"
    assert run("customers", "export", "auth0|a b", "-o", str(target))[0] == 0
    assert json.loads(target.read_text())["customer_id"] == "auth0|a b"
    fake_api.on("GET", "/v1/customers/nobody/export", reply_error(404, "not_found", "Nothing is known."))
    code, _, err = run("customers", "export", "nobody", "-o", str(tmp_path / "n.json"))
    assert code == 1 and err == "passaparola: not_found: Nothing is known.\n"
    assert not (tmp_path / "n.json").exists()


def test_webhooks_rotate_prints_the_new_secret_once(run, fake_api) -> None:
    rotated = {"id": "whk_1", "secret": "whsec_new", "previous_secret_expires_at": "2026-01-02T00:00:00Z"}
    fake_api.on("POST", "/v1/webhooks/whk_1/secret/rotate", reply_json(200, rotated))
    code, out, err = run("webhooks", "rotate", "whk_1", "--expire-previous-in-hours", "2")
    assert (code, out) == (0, "whsec_new\n")
    assert "2026-01-02T00:00:00Z" in err
    assert fake_api.seen[-1].json() == {"expire_previous_in_hours": 2}


def test_ctrl_c_while_following_a_batch_says_it_goes_on(run, fake_api, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_api.on("POST", "/v1/campaigns/cmp_1/codes", reply_json(202, {"created": 0, "codes": [], "batch": BATCH}))

    def interrupted(_seconds: float) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("infra.cli.main.pause", interrupted)
    code, out, err = run("codes", "generate", "--campaign", "cmp_1", "--count", "2000")
    assert code == 130 and out == ""
    assert err.splitlines()[-1] == (
        "passaparola: interrupted: batch bat_1 goes on in the background; "
        "its progress: GET /v1/campaigns/cmp_1/batches/bat_1"
    )
