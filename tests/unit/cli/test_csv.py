"""CSV paging (X-Next-Cursor followed, the header once) and the points import split into request-sized chunks."""

import csv
import io
import json
from pathlib import Path

import pytest

from infra.cli.csvio import MAX_IMPORT_BYTES, CsvError
from infra.cli.csvio import split as split_csv
from tests.unit.cli.conftest import reply_csv, reply_error, reply_json

HEADER = "customer_id,email,name,locale,country,consent_email,consent_sms,points,tier\n"
PAGES = {
    None: (HEADER + 'c1,a@x.io,Ann,en,IE,true,false,10,gold\nc2,b@x.io,"Bo, ""B""",it,IT,false,false,0,\n', "p2"),
    "p2": (HEADER + 'c3,c@x.io,"two\nlines",en,IE,true,true,5,\n', "p3"),
    "p3": (HEADER + "c4,d@x.io,Di,fr,FR,true,false,1,silver\n", None),
}
WHOLE = HEADER + "".join(body.removeprefix(HEADER) for body, _ in PAGES.values())


@pytest.fixture
def paged_segment(fake_api):
    fake_api.on("GET", "/v1/segments/vip members/customers", lambda seen: reply_csv(*PAGES[seen.query.get("cursor")]))
    return fake_api


def test_segments_export_follows_the_cursor_and_writes_the_header_once(run, paged_segment) -> None:
    code, out, err = run("segments", "export", "vip members")
    assert code == 0, err
    assert out == WHOLE
    assert [s.query for s in paged_segment.seen] == [
        {"format": "csv"},
        {"format": "csv", "cursor": "p2"},
        {"format": "csv", "cursor": "p3"},
    ]
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["customer_id"] for r in rows] == ["c1", "c2", "c3", "c4"]
    assert rows[1]["name"] == 'Bo, "B"' and rows[2]["name"] == "two\nlines"


def test_an_export_to_a_file_counts_records_not_lines(run, paged_segment, tmp_path: Path) -> None:
    target = tmp_path / "vip.csv"
    code, out, err = run("segments", "export", "vip members", "-o", str(target))
    assert (code, out) == (0, "")
    assert target.read_text(encoding="utf-8") == WHOLE
    assert err == f"4 rows written to {target}\n"
    assert [p.name for p in tmp_path.iterdir()] == ["vip.csv"]  # no temporary file left


def test_a_failure_on_a_later_page_leaves_no_file(run, fake_api, tmp_path: Path) -> None:
    def pages(seen):
        if seen.query.get("cursor"):
            return reply_error(400, "invalid_request", "Invalid cursor.")
        return reply_csv(HEADER + "c1,,,,,,,,\n", "p2")

    fake_api.on("GET", "/v1/segments/vip/customers", pages)
    target = tmp_path / "vip.csv"
    target.write_text("the previous export\n", encoding="utf-8")
    code, _, err = run("segments", "export", "vip", "-o", str(target))
    assert code == 1 and err == "passaparola: invalid_request: Invalid cursor.\n"
    assert target.read_text(encoding="utf-8") == "the previous export\n"  # left as it was
    assert [p.name for p in tmp_path.iterdir()] == ["vip.csv"]


def test_an_answer_that_is_not_csv_or_a_cursor_loop_is_an_error(run, fake_api) -> None:
    fake_api.on("GET", "/v1/segments/a/customers", reply_json(200, {"items": []}))
    code, _, err = run("segments", "export", "a")
    assert code == 1 and err.startswith("passaparola: not_csv: ")
    fake_api.on("GET", "/v1/segments/b/customers", reply_csv(HEADER, "same"))
    code, _, err = run("segments", "export", "b")
    assert code == 1 and err.startswith("passaparola: cursor_loop: ")


def test_payouts_codes_and_changes_exports_use_their_routes(run, fake_api) -> None:
    fake_api.on("GET", "/v1/payouts", reply_csv("id,amount\npo_1,100\n"))
    fake_api.on("GET", "/v1/campaigns/cmp_1/batches/bat_1/codes", reply_csv("code\nA1\n", "n"))
    fake_api.on("GET", "/v1/campaigns/cmp_1/codes/export", reply_csv("code\nA1\n"))
    fake_api.on("GET", "/v1/segments/changes", reply_csv("segment,customer_id\n"))
    fake_api.on("GET", "/v1/rewards", reply_csv("reward_id\n"))
    fake_api.on("GET", "/v1/points/ledger", reply_csv("customer_id,points\n"))
    assert run("payouts", "export", "--period", "2026-01")[1] == "id,amount\npo_1,100\n"
    assert fake_api.seen[-1].query == {"period": "2026-01", "format": "csv"}
    assert run("codes", "export", "--campaign", "cmp_1", "--batch", "bat_1")[1] == "code\nA1\nA1\n"
    assert fake_api.seen[-1].query == {"format": "csv", "cursor": "n"}
    assert run("codes", "export", "--campaign", "cmp_1")[1] == "code\nA1\n"
    assert run("segments", "changes", "--since", "2026-01-01")[1] == "segment,customer_id\n"
    assert fake_api.seen[-1].query == {"format": "csv", "since": "2026-01-01T00:00:00Z"}
    assert run("rewards", "export", "--since", "2026-01-01", "--until", "2026-02-01", "--status", "released")[0] == 0
    assert fake_api.seen[-1].query == {
        "format": "csv",
        "since": "2026-01-01T00:00:00Z",
        "until": "2026-02-01T00:00:00Z",
        "status": "released",
    }
    assert run("points", "ledger", "--since", "2026-01-01T10:00:00+02:00")[1] == "customer_id,points\n"
    assert fake_api.seen[-1].query == {"format": "csv", "since": "2026-01-01T10:00:00+02:00"}


# ------------------------------------------------------------------ points import


def points_csv(rows: int) -> str:
    lines = ["customer_id,email,points,reason"]
    lines += [f'cust_{i:05d},,{i},"migrated from the old program, row {i}"' for i in range(1, rows + 1)]
    return "\n".join(lines) + "\n"


def parse(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))


def test_split_keeps_every_row_once_with_the_header_in_each_chunk_under_the_limit() -> None:
    text = points_csv(3000)
    split = split_csv(text)
    assert len(split.chunks) >= 3 and split.rows == 3000 and split.rejected == []
    assert all(len(c.body) <= MAX_IMPORT_BYTES for c in split.chunks)
    assert all(parse(c.body)[0] == ["customer_id", "email", "points", "reason"] for c in split.chunks)
    rows = [row for c in split.chunks for row in parse(c.body)[1:]]
    assert rows == parse(text.encode())[1:]
    assert sum(c.rows for c in split.chunks) == 3000
    assert [line for c in split.chunks for line in c.lines.values()] == list(range(2, 3002))


def test_split_maps_each_chunk_line_to_the_file_line_across_blank_lines_and_quoted_newlines() -> None:
    text = '\ufeffcustomer_id,points,reason\r\nc1,1,a\r\n\r\nc2,2,"multi\r\nline"\r\n,,\r\nc3,3,b\r\n'
    chunks = split_csv(text, limit=50).chunks  # one row per chunk
    assert [parse(c.body)[1][0] for c in chunks] == ["c1", "c2", "c3"]
    assert parse(chunks[1].body)[1][2] == "multi\r\nline"
    assert [c.lines for c in chunks] == [{2: 2}, {3: 5}, {2: 7}]  # the API names a row by its (last) line
    assert chunks[1].file_line(3) == 5


def test_a_customers_second_row_is_refused_here_even_in_another_chunk() -> None:
    text = "customer_id,email,points\nc1,,5\nc2,,-1\nc2,,3\n,A@x.io,1\nc1,,9\n,a@X.io,2\n"
    split = split_csv(text, limit=40)
    assert len(split.chunks) > 1
    sent = [row[0] or row[1] for c in split.chunks for row in parse(c.body)[1:]]
    assert sent == ["c1", "c2", "c2", "A@x.io"]  # c2's refused row (-1) does not make the next one a duplicate
    assert [(r["row"], r["reason"]) for r in split.rejected] == [(6, "duplicate_customer"), (7, "duplicate_customer")]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "empty_file"),
        ("customer_id,points\n\n", "empty_file"),
        ("customer_id,points\nc1," + "x" * 100, "row_too_large"),
    ],
)
def test_split_refuses_what_it_cannot_send(text: str, code: str) -> None:
    with pytest.raises(CsvError) as exc:
        split_csv(text, limit=64)
    assert exc.value.code == code


def fake_import(seen):
    """The API's report: rows by their CSV line in the request (header = line 1), as passaparola.loyalty.imports."""
    reader = csv.reader(io.StringIO(seen.body.decode()))
    next(reader)
    rows, rejected = 0, []
    for row in reader:
        rows += 1
        if row[2] == "-1":
            rejected.append({"row": reader.line_num, "reason": "negative_points", "message": "An import adds points."})
    report = {"name": seen.query["name"], "rows": rows, "imported": rows - len(rejected), "already_imported": 0}
    return reply_json(200, {**report, "rejected": rejected})


def test_points_import_sends_chunks_and_merges_the_reports_with_the_files_lines(run, fake_api, tmp_path: Path) -> None:
    fake_api.on("POST", "/v1/points/imports", fake_import)
    path = tmp_path / "points.csv"
    text = points_csv(30).replace("cust_00005,,5,", "cust_00005,,-1,").replace("cust_00020,,20,", "cust_00020,,-1,")
    path.write_text(text + "cust_00001,,1,again\n", encoding="utf-8")
    code, out, err = run("points", "import", str(path), "--name", "launch", "--chunk-bytes", "400", "--json")
    assert len(fake_api.seen) > 2
    assert all(s.headers["content-type"] == "text/csv" and s.query == {"name": "launch"} for s in fake_api.seen)
    assert all(len(s.body) <= 400 for s in fake_api.seen)
    keys = [s.headers["idempotency-key"] for s in fake_api.seen]
    assert len(set(keys)) == len(keys) and all(k.startswith("cli-") for k in keys)
    report = json.loads(out)
    assert {k: report[k] for k in ("name", "rows", "imported", "already_imported")} == {
        "name": "launch",
        "rows": 30,
        "imported": 28,
        "already_imported": 0,
    }
    assert [(r["row"], r["reason"]) for r in report["rejected"]] == [
        (6, "negative_points"),  # cust_00005 is on the file's line 6
        (21, "negative_points"),
        (32, "duplicate_customer"),
    ]
    assert code == 1  # rows were rejected: a script must notice
    assert err.splitlines()[-1] == "passaparola: rows_rejected: 3 rows rejected (lines listed in the report)"


def test_points_import_with_nothing_rejected_is_exit_0(run, fake_api, tmp_path: Path) -> None:
    fake_api.on(
        "POST",
        "/v1/points/imports",
        reply_json(200, {"name": "n", "rows": 2, "imported": 0, "already_imported": 2, "rejected": []}),
    )
    path = tmp_path / "p.csv"
    path.write_text("email,points\na@x.io,1\nb@x.io,2\n", encoding="utf-8")
    code, out, _ = run("points", "import", str(path), "--name", "n")
    assert (code, out) == (0, "n: 2 rows, 0 imported, 2 already imported, 0 rejected\n")
