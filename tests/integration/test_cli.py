"""The `passaparola` CLI against the local stack: `python -m infra.cli ...` in a subprocess, as an admin runs it."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

import pytest
from api import Api, order, uid, wait_until
from loyalty import Clock, Loyalty, cid, next_start, program_fields
from referrals import Referrals, one

from tests.webhook_receiver import running_receiver

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def api(stack):
    return Api(stack)


@pytest.fixture(scope="module")
def cli(stack, tmp_path_factory):
    """`cli("keys", "list")` → CompletedProcess (text); the stack's URL and key come from the environment."""
    env = {
        **os.environ,
        "PASSAPAROLA_URL": stack.url,
        "PASSAPAROLA_SECRET_KEY": stack.secret_key,
        "PASSAPAROLA_PROFILES": str(tmp_path_factory.mktemp("cli") / "none.toml"),
    }
    env.pop("PASSAPAROLA_PROFILE", None)

    def run(*argv: str, key: str | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        extra = ["--key", key] if key else []
        return subprocess.run(
            [sys.executable, "-m", "infra.cli", *argv, *extra],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    return run


def test_keys_create_list_revoke(cli):
    # When an owner creates a key, the key alone is printed (once)
    made = cli("keys", "create", "--name", "cli integration")
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip()
    assert key.startswith("sk_") and "\n" not in key
    prefix = key[:16]

    # Then the new key works (listing with it) and is listed by its prefix, not revoked
    listed = cli("keys", "list", key=key)
    assert listed.returncode == 0, listed.stderr
    line = next(ln for ln in listed.stdout.splitlines() if ln.startswith(prefix))
    assert line.split()[1] == "secret" and line.rstrip().endswith("-")

    # When it is revoked (by the whole key), then the list shows when
    revoked = cli("keys", "revoke", key)
    assert revoked.returncode == 0, revoked.stderr
    assert revoked.stdout.startswith(f"revoked {prefix} (cli integration) at ")
    line = next(ln for ln in cli("keys", "list").stdout.splitlines() if ln.startswith(prefix))
    assert not line.rstrip().endswith("-")

    # And revoking it again, or an unknown prefix, is the API's error on one line (exit 1)
    unknown = cli("keys", "revoke", "sk_local_NoSuchKey0")
    assert (unknown.returncode, unknown.stdout) == (1, "")
    assert unknown.stderr.startswith("passaparola: not_found: ") and unknown.stderr.count("\n") == 1


def test_codes_generate_2000_follows_the_batch_and_export_matches_it(cli, api, tmp_path):
    campaign = api.create_campaign()

    # When 2,000 codes are generated, the background batch is followed to the end (plain progress lines: no TTY)
    made = cli("codes", "generate", "--campaign", campaign["id"], "--count", "2000", "--prefix", "CLI-")
    assert made.returncode == 0, made.stderr
    batch_id = made.stdout.strip()
    assert batch_id.startswith("bat_")
    assert "codes: 2,000/2,000 (100%), in " in made.stderr
    batch = api.get(f"/v1/campaigns/{campaign['id']}/batches/{batch_id}").json()
    assert (batch["status"], batch["created"]) == ("completed", 2000)

    # Then the batch's export holds exactly the batch's codes (beside 3 codes made apart), the header once
    assert api.create_codes(campaign["id"], count=3).status_code == 201
    target = tmp_path / "codes.csv"
    exported = cli("codes", "export", "--campaign", campaign["id"], "--batch", batch_id, "-o", str(target))
    assert exported.returncode == 0, exported.stderr
    assert exported.stderr == f"2,000 rows written to {target}\n"
    text = target.read_text(encoding="utf-8")
    assert text.startswith("code,") and text.count("code,campaign_id,") == 1
    rows = list(csv.DictReader(io.StringIO(text)))
    listed = {c["code"] for c in api.list_all(f"/v1/campaigns/{campaign['id']}/codes", limit=1000) if c["batch_id"]}
    assert {r["code"] for r in rows} == listed and len(rows) == 2000
    whole = cli("codes", "export", "--campaign", campaign["id"])  # the whole campaign, to stdout
    assert whole.returncode == 0 and len(list(csv.DictReader(io.StringIO(whole.stdout)))) == 2003
    assert {r["batch_id"] for r in rows} == {batch_id}
    assert all(r["code"].startswith("CLI-") for r in rows)


def test_errors_are_one_line_with_conventional_exit_codes(cli, stack):
    unknown = cli("codes", "generate", "--campaign", "cmp_nosuchcampaign", "--count", "5")
    assert unknown.returncode == 1 and unknown.stdout == ""
    assert unknown.stderr.startswith("passaparola: not_found: ") and unknown.stderr.count("\n") == 1

    wrong_key = cli("keys", "list", key="sk_local_wrong_key_123456")
    assert wrong_key.returncode == 1
    assert wrong_key.stderr.startswith("passaparola: unauthorized: ")

    usage = cli("codes", "generate", "--count", "5")
    assert usage.returncode == 2 and usage.stderr.startswith("passaparola: usage: ")


# ------------------------------------------------------------------ exports (h/exports), payouts (h/payouts), webhooks


def test_segments_export_is_the_segment_the_api_lists(cli, stack, tmp_path):
    lo = Loyalty(stack)
    cohort = uid("cli").lower()
    name = f"it_{cohort}"
    condition = {"field": "attribute", "name": "cli_cohort", "op": "eq", "value": cohort}
    made = lo.post("/v1/segments", json={"name": name, "conditions": [condition]})
    assert made.status_code == 201, made.text
    people = [cid("cli-") for _ in range(3)]
    for i, person in enumerate(people):
        lo.profile(person, email=f"{person.lower()}@example.org", name=f"Ann, {i}", attributes={"cli_cohort": cohort})

    target = tmp_path / "segment.csv"
    done = cli("segments", "export", name, "-o", str(target))
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert sorted(r["customer_id"] for r in rows) == sorted(people)
    assert sorted(m["customer_id"] for m in lo.members(name)) == sorted(people)
    assert {r["name"] for r in rows} == {"Ann, 0", "Ann, 1", "Ann, 2"}

    exported = cli("customers", "export", people[0])
    assert exported.returncode == 0, exported.stderr
    assert people[0] in exported.stdout and json.loads(exported.stdout)
    unknown = cli("customers", "export", cid("nobody-"))
    assert unknown.returncode == 1 and unknown.stderr.startswith("passaparola: not_found: ")


def test_points_import_in_chunks_is_idempotent_and_names_rejected_lines(cli, stack, tmp_path):
    lo = Loyalty(stack)
    if not lo.loyalty_programs():
        r = lo.post("/v1/campaigns", json={"name": "Club", "type": "loyalty", **program_fields(uid().lower())})
        assert r.status_code == 201, r.text
        time.sleep(5.5)  # function containers cache the (absent) program for 5 s
    name = f"cli-{uid().lower()}"
    people = [cid("imp-") for _ in range(40)]
    lines = ["customer_id,email,points,reason"] + [f"{p},,{100 + i},from the old shop" for i, p in enumerate(people)]
    lines.insert(11, f"{cid('neg-')},,-5,")  # the file's line 12
    path = tmp_path / "points.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    # When the file goes in chunks of at most 600 bytes
    first = cli("points", "import", str(path), "--name", name, "--chunk-bytes", "600", "--json")
    assert first.returncode == 1, first.stderr  # a rejected row: exit 1, the report on stdout
    report = json.loads(first.stdout)
    assert (report["rows"], report["imported"], report["already_imported"]) == (41, 40, 0)
    assert [(r["row"], r["reason"]) for r in report["rejected"]] == [(12, "negative_points")]
    assert first.stderr.splitlines()[-1].startswith("passaparola: rows_rejected: ")
    assert lo.balance(people[0]) == 100 and lo.balance(people[-1]) == 139

    # Then running it again adds nothing
    again = cli("points", "import", str(path), "--name", name, "--chunk-bytes", "600", "--json")
    report = json.loads(again.stdout)
    assert (report["imported"], report["already_imported"]) == (0, 40)
    assert lo.balance(people[0]) == 100


def test_payouts_export_matches_the_api_and_paid_is_once(cli, stack, tmp_path):
    rf = Referrals(stack)
    start = next_start()
    second = (start.replace(day=1) + timedelta(days=32)).replace(day=2)
    clock = Clock(stack, datetime.combine(second.date(), dtime(12, 0), tzinfo=UTC))
    try:
        # Given a referrer's cash reward released this month
        program = rf.create_program(referrer_reward={"type": "cash", "amount": 1500, "currency": "EUR"}, tiers=[])
        link = rf.link(program["id"])
        rf.refer(link["code"])
        clock.advance(days=15)
        rf.release()
        month = clock.now.strftime("%Y-%m")

        # When the month's payouts are exported, the CSV lists what the API lists, with a total row
        target = tmp_path / "payouts.csv"
        done = cli("payouts", "export", "--period", month, "-o", str(target))
        assert done.returncode == 0, done.stderr
        rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
        listed = rf.get("/v1/payouts", params={"period": month}).json()["items"]
        assert {r["payout_id"] for r in rows if r["payout_id"] != "total"} == {p["id"] for p in listed}
        assert any(r["payout_id"] == "total" for r in rows)
        payout = one(listed, customer_id=link["customer_id"])

        # Then it is marked paid once the month is over, once
        early = cli("payouts", "paid", payout["id"], "--reference", "SEPA-CLI")
        assert early.returncode == 1 and early.stderr.startswith("passaparola: payout_period_open: ")
        clock.set(
            datetime.combine((clock.now.replace(day=1) + timedelta(days=32)).replace(day=3), dtime(9), tzinfo=UTC)
        )
        paid = cli("payouts", "paid", payout["id"], "--reference", "SEPA-CLI")
        assert paid.returncode == 0, paid.stderr
        assert paid.stdout == f"paid {payout['id']}: 1500 EUR (reference SEPA-CLI)\n"
        again = cli("payouts", "paid", payout["id"], "--reference", "SEPA-CLI")
        assert again.returncode == 1 and again.stderr.startswith("passaparola: payout_already_paid: ")
    finally:
        stack.set_clock(None)


def test_webhooks_create_list_test_deliveries_replay(cli, api):
    with running_receiver() as receiver:
        made = cli("webhooks", "create", receiver.url, "--events", "coupon.*", "--description", "cli")
        assert made.returncode == 0, made.stderr
        hook_id, secret = made.stdout.split()
        receiver.secrets = [secret]
        try:
            assert hook_id in cli("webhooks", "list").stdout
            ping = cli("webhooks", "test", hook_id)
            assert ping.returncode == 0 and ping.stdout.startswith("ok: answered 200 in "), ping.stderr

            # a real event: a redemption, delivered signed
            customer = uid("clihook-")
            campaign = api.create_campaign()
            code = api.create_code(campaign["id"])
            assert api.redeem(code, order(5000), customer_id=customer).status_code in (200, 201)
            got = receiver.wait(lambda rs: [r for r in rs if r.event.get("customer_id") == customer])
            event_id = next(r.id for r in got if r.event.get("customer_id") == customer)
            log = wait_until(lambda: event_id in cli("webhooks", "deliveries", hook_id).stdout, timeout=30)
            assert log

            # replayed: delivered again with the same webhook-id
            replay = cli("webhooks", "replay", hook_id, "--event", event_id)
            assert (replay.returncode, replay.stdout) == (0, "queued 1\n"), replay.stderr
            receiver.wait(lambda rs: [r.id for r in rs].count(event_id) >= 2)
            assert not receiver.unverified
        finally:
            api.request("DELETE", f"/v1/webhooks/{hook_id}")
