"""Finding a customer by id or email (GET /v1/customers?query=): key reads only, erasure forgets the email."""

from passaparola.customers import service
from passaparola.customers.models import CustomerPut
from tests.unit.functions import call, load_function


def search(fn, query):
    return call(fn, "GET", "/v1/customers", "/v1/customers", query={"query": query})


def test_a_customer_is_found_by_id_and_by_email_whatever_its_case(aws):
    fn = load_function("customers")
    service.put("cus_anna", CustomerPut(email="Anna.Rossi@Example.com", name="Anna Rossi"))
    service.put("cus_bob", CustomerPut(email="bob@example.com"))

    by_id = search(fn, "cus_anna")
    assert by_id.status == 200, by_id.body
    assert [c["id"] for c in by_id.body["customers"]] == ["cus_anna"]
    assert by_id.body["customers"][0]["name"] == "Anna Rossi"
    assert by_id.body["customers"][0]["loyalty"]["balance"] == 0

    for query in ("anna.rossi@example.com", "ANNA.ROSSI@EXAMPLE.COM", " Anna.Rossi@Example.com "):
        assert [c["id"] for c in search(fn, query).body["customers"]] == ["cus_anna"], query
    assert search(fn, "nobody@example.com").body == {"customers": []}
    assert search(fn, "cus_nobody").body == {"customers": []}


def test_an_email_changed_or_erased_is_no_longer_found(aws):
    fn = load_function("customers")
    service.put("cus_1", CustomerPut(email="old@example.com"))
    service.put("cus_1", CustomerPut(email="new@example.com"))
    assert search(fn, "old@example.com").body["customers"] == []
    assert [c["id"] for c in search(fn, "new@example.com").body["customers"]] == ["cus_1"]

    service.erase("cus_1")
    assert search(fn, "new@example.com").body["customers"] == []
    erased = search(fn, "cus_1").body["customers"]
    assert erased[0]["erased"] is True and erased[0]["email"] is None


def test_two_customers_sharing_an_address_are_both_listed_exact_spelling_first(aws):
    fn = load_function("customers")
    service.put("cus_a", CustomerPut(email="mario.rossi@gmail.com"))
    service.put("cus_b", CustomerPut(email="MarioRossi@gmail.com"))  # the same Gmail mailbox

    found = [c["id"] for c in search(fn, "mariorossi@gmail.com").body["customers"]]
    assert found == ["cus_b", "cus_a"]


def test_reserved_ids_and_bad_queries_are_refused_or_ignored(aws):
    fn = load_function("customers")
    assert search(fn, "segments").body == {"customers": []}
    assert search(fn, "").status == 400
    assert search(fn, "x" * 257).status == 400
    assert call(fn, "GET", "/v1/customers", "/v1/customers").status == 400
