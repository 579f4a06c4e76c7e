"""Points import: a shop starting its program with existing customers' balances (a CSV), idempotent per row.

Each row is one adjustment through the customer's record (`customers.service.mutate`), in the same transaction as a
marker item `IMPORT#<name>` in the customer's partition of the rewards table, written only if absent: a second run
of the same import (or the same customer twice in it) adds nothing, and a run cut short is finished by running it
again. Rows are checked first; the rejected ones are reported with their line number, never half-applied.
"""

import csv
import io
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from aws_lambda_powertools.metrics import MetricUnit

from passaparola.customers import service as customers
from passaparola.customers.record import Change
from passaparola.data import customers as customer_store
from passaparola.data import imports as store
from passaparola.data.transactions import Transaction
from passaparola.errors import InvalidRequest, LoyaltyProgramRequired
from passaparola.loyalty.models import ImportReport, RejectedRow
from passaparola.observability import logger, metrics
from passaparola.referrals import identity

MAX_POINTS = 1_000_000
THREADS = 8
"""Rows written at once: each is its own transaction (1,500 rows in a few seconds, within API Gateway's 29 s)."""
COLUMNS = {"customer_id", "email", "points", "reason"}
_CUSTOMER_ID = re.compile(r"^[^#\x00-\x1f\x7f]{1,128}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_RESERVED = {"segments", "config", "segchanges", "stats", "shop"}


@dataclass
class Row:
    line: int
    customer_id: str
    email: str | None
    points: int
    reason: str


class _AlreadyImported(Exception):
    """The marker exists: this row was imported by an earlier run."""


def run(name: str, text: str) -> ImportReport:
    """Check every row, then import the good ones (each once per import name and customer)."""
    if customers.program() is None:
        raise LoyaltyProgramRequired("Importing points needs the shop's loyalty program: create it first.")
    rows, rejected = parse(text)
    rows = _resolve_emails(rows)
    seen: set[str] = set()
    unique: list[Row] = []
    for row in rows:
        if row.customer_id in seen:
            rejected.append(_reject(row.line, "duplicate_customer", "This customer has an earlier row in this file."))
        else:
            seen.add(row.customer_id)
            unique.append(row)
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        done = list(pool.map(lambda row: _import(name, row), unique))
    imported = sum(1 for d in done if d)
    report = ImportReport(
        name=name,
        rows=len(rows) + len([r for r in rejected if r.reason != "duplicate_customer"]),
        imported=imported,
        already_imported=len(done) - imported,
        rejected=sorted(rejected, key=lambda r: r.row),
    )
    metrics.add_metric(name="PointsImportedRows", unit=MetricUnit.Count, value=imported)
    logger.info("points import", extra={"import": name, "imported": imported, "rejected": len(rejected)})
    return report


def parse(text: str) -> tuple[list[Row], list[RejectedRow]]:
    """The rows of a CSV with header `customer_id,email,points,reason` (one of customer_id/email per row)."""
    reader = csv.reader(io.StringIO(text))
    header = [h.strip().lower() for h in next(reader, [])]
    if "points" not in header or not ({"customer_id", "email"} & set(header)) or len(set(header)) != len(header):
        raise InvalidRequest(
            "The CSV needs a header row: customer_id,email,points,reason (customer_id or email, and points).",
            {"field": "body", "header": header[:10]},
        )
    unknown = set(header) - COLUMNS
    if unknown:
        raise InvalidRequest("Unknown columns in the header.", {"field": "body", "columns": sorted(unknown)})
    rows: list[Row] = []
    rejected: list[RejectedRow] = []
    for values in reader:
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            rejected.append(_reject(line, "malformed", f"{len(values)} fields where the header has {len(header)}."))
            continue
        row, error = _row(line, dict(zip(header, (v.strip() for v in values), strict=True)))
        if error is not None:
            rejected.append(error)
        elif row is not None:
            rows.append(row)
    return rows, rejected


def _row(line: int, cells: dict[str, str]) -> tuple[Row | None, RejectedRow | None]:
    customer_id, email = cells.get("customer_id", ""), cells.get("email", "")
    if not customer_id and not email:
        return None, _reject(line, "missing_customer", "Give a customer_id or an email.")
    if customer_id and (not _CUSTOMER_ID.match(customer_id) or customer_id.lower() in _RESERVED):
        return None, _reject(line, "invalid_customer_id", "Not a customer id this engine accepts.")
    if not customer_id and (len(email) > 320 or not _EMAIL.match(email)):
        return None, _reject(line, "invalid_email", "Not an email address.")
    raw = cells.get("points", "")
    if not re.fullmatch(r"[+-]?\d{1,12}", raw):
        return None, _reject(line, "malformed", "points is not a whole number.")
    points = int(raw)
    if points < 0:
        return None, _reject(line, "negative_points", "An import adds points; take points with an adjustment.")
    if points == 0:
        return None, _reject(line, "zero_points", "Nothing to import.")
    if points > MAX_POINTS:
        return None, _reject(line, "points_too_high", f"At most {MAX_POINTS:,} points per row.")
    reason = cells.get("reason") or "imported balance"
    if len(reason) > 200:
        return None, _reject(line, "malformed", "reason is longer than 200 characters.")
    return Row(line, customer_id, email or None, points, reason), None


def _resolve_emails(rows: list[Row]) -> list[Row]:
    """A row by email is the customer whose profile has that email (exactly one), else the id enrollment derives
    from it (`lp_...`, docs/loyalty.md): the same member whether they join from the storefront or the import."""
    for row in rows:
        if row.customer_id or row.email is None:
            continue
        found = customer_store.ids_by_email(identity.email_hash(row.email), 2)
        row.customer_id = found[0] if len(found) == 1 else enrollment_id(row.email)
    return rows


def enrollment_id(email: str) -> str:
    return f"lp_{identity.keyed_hash('enroll:' + identity.normalize_email(email))[:24]}"


def _import(name: str, row: Row) -> bool:
    """One row: True when imported now, False when an earlier run did."""

    def do(change: Change, tx: Transaction) -> None:
        if store.imported(row.customer_id, name):
            raise _AlreadyImported
        store.mark(tx, row.customer_id, name, row.points, change.now)
        if row.email and change.record is None:
            change.put("email", row.email)
            change.put("email_hash", identity.email_hash(row.email))
        if not change.member:
            change.enroll(change.now)
        change.credit(row.points, row.reason, f"import#{name}", kind="adjustment")

    try:
        customers.mutate(row.customer_id, do, "points_imported")
    except _AlreadyImported:
        return False
    return True


def _reject(line: int, reason: str, message: str) -> RejectedRow:
    return RejectedRow(row=line, reason=reason, message=message)
