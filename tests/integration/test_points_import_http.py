"""Points import over HTTP (docs/integrations.md, "Points import"): a text/csv body, idempotent per (name, customer),
rejected rows reported, emails resolved like enrollment."""

from __future__ import annotations

import time

import pytest
from api import uid
from loyalty import Loyalty, program_fields

CACHE_SECONDS = 5.5


@pytest.fixture(scope="module")
def lo(stack) -> Loyalty:
    client = Loyalty(stack)
    if not client.loyalty_programs():
        r = client.post("/v1/campaigns", json={"name": "Club", "type": "loyalty", **program_fields(uid().lower())})
        assert r.status_code == 201, r.text
        time.sleep(CACHE_SECONDS)  # every container now sees it
    return client


def send(lo: Loyalty, name: str, text: str, **kw: object) -> dict:
    r = lo.post("/v1/points/imports", params={"name": name}, data=text, headers={"Content-Type": "text/csv"}, **kw)
    assert r.status_code == 200, r.text
    return r.json()


def imported_lines(lo: Loyalty, customer_id: str, name: str) -> list[dict]:
    return [
        line for line in lo.ledger(customer_id) if line.get("source_type") == "import" and line["source_id"] == name
    ]


def test_an_import_runs_once_per_customer_and_reports_rejected_rows(lo: Loyalty) -> None:
    name = f"launch-{uid().lower()}"
    known, new = uid("known-"), uid("new-")
    known_email, fresh_email = f"{uid().lower()}@example.org", f"{uid().lower()}@example.org"
    lo.profile(known, email=known_email, name="Known")
    text = "\r\n".join(
        [
            "customer_id,email,points,reason",
            f"{new},,1200,balance from the old program",  # 2: an id the engine never saw: created
            f",{known_email.upper()},300,",  # 3: the profile with this email
            f",{fresh_email},50,welcome",  # 4: the id enrollment derives from the email
            f"{uid('neg-')},,-5,",  # 5
            f"{uid('big-')},,1000001,",  # 6
            f"{uid('bad-')},,12.5,",  # 7
            ",not-an-email,10,",  # 8
            f"{new},,99,",  # 9: the same customer twice in one file
            "only-two,fields",  # 10
            "",
        ]
    )
    report = send(lo, name, text)
    assert (report["name"], report["rows"], report["imported"], report["already_imported"]) == (name, 9, 3, 0)
    assert [(r["row"], r["reason"]) for r in report["rejected"]] == [
        (5, "negative_points"),
        (6, "points_too_high"),
        (7, "malformed"),
        (8, "invalid_email"),
        (9, "duplicate_customer"),
        (10, "malformed"),
    ]
    assert [line["points"] for line in imported_lines(lo, new, name)] == [1200]
    assert [line["points"] for line in imported_lines(lo, known, name)] == [300]
    enrolled = lo.enroll(email=fresh_email)
    assert enrolled.status_code in (200, 201), enrolled.text
    assert [line["points"] for line in imported_lines(lo, enrolled.json()["customer_id"], name)] == [50]
    balance = lo.wallet(new)["points"]["balance"]

    # Run again: nothing is added twice
    again = send(lo, name, text)
    assert (again["imported"], again["already_imported"], len(again["rejected"])) == (0, 3, 6)
    assert [line["points"] for line in imported_lines(lo, new, name)] == [1200]
    assert lo.wallet(new)["points"]["balance"] == balance

    # Another import name is another import
    other = send(lo, f"{name}-b", f"customer_id,points\n{new},10\n")
    assert other["imported"] == 1
    assert lo.wallet(new)["points"]["balance"] == balance + 10


def test_a_file_without_the_header_is_refused(lo: Loyalty) -> None:
    r = lo.post("/v1/points/imports", params={"name": "x"}, data="a,b\n1,2\n", headers={"Content-Type": "text/csv"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_request", r.text
    r = lo.post("/v1/points/imports", data="customer_id,points\nx,1\n", headers={"Content-Type": "text/csv"})
    assert r.status_code == 400, r.text


def test_an_idempotency_key_replays_the_report(lo: Loyalty) -> None:
    """The key's body hash works on a text body too: the retry gets the first answer, not a second run's."""
    name, who = f"retry-{uid().lower()}", uid("idem-")
    first = send(lo, name, f"customer_id,points\n{who},25\n", idempotency_key=f"k-{name}")
    r = lo.post(
        "/v1/points/imports",
        params={"name": name},
        data=f"customer_id,points\n{who},25\n",
        headers={"Content-Type": "text/csv"},
        idempotency_key=f"k-{name}",
    )
    assert r.status_code == 200 and r.headers.get("Idempotent-Replayed") == "true", r.headers
    assert r.json() == first and first["imported"] == 1
