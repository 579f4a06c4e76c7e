"""CSV in and out: a paged export written whole (header once), and a large import split into request-sized chunks."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import sys
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from infra.cli.http import ApiError, Client

MAX_IMPORT_BYTES = 65536  # the API's MAX_BODY_BYTES: one import request at most


class CsvError(Exception):
    """A file the CLI cannot send or write (exit 1, or 2 when it is the caller's input)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@contextlib.contextmanager
def output(path: str | None) -> Iterator[BinaryIO]:
    """stdout, or a file that appears only once complete (written beside it, then renamed): a failed export
    never leaves half a file that looks whole."""
    if path in (None, "-"):
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent or Path("."))
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _split_header(body: bytes) -> tuple[bytes, bytes]:
    """(header line, the rest). Headers hold plain column names: the first newline ends the header."""
    end = body.find(b"\n")
    if end < 0:
        return body, b""
    return body[: end + 1], body[end + 1 :]


def export(client: Client, path: str, query: Mapping[str, Any], out: BinaryIO) -> int:
    """Every page of a CSV answer, following `X-Next-Cursor`, as one CSV: the header once. Returns the data rows
    written (records may hold quoted newlines: counted by the csv module, not by lines)."""
    cursor: str | None = None
    seen: set[str] = set()
    rows = 0
    first = True
    while True:
        answer = client.request("GET", path, query={**query, "cursor": cursor})
        if not (answer.header("content-type") or "").startswith("text/csv"):
            raise ApiError(answer.status, "not_csv", f"GET {path} answered {answer.header('content-type')}, not CSV")
        header, data = _split_header(answer.body)
        if first:
            out.write(header if header.endswith(b"\n") or not header else header + b"\n")
            first = False
        if data:
            out.write(data if data.endswith(b"\n") else data + b"\n")
            rows += sum(1 for _ in csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
        out.flush()
        cursor = answer.header("x-next-cursor")
        if not cursor:
            return rows
        if cursor in seen:
            raise ApiError(answer.status, "cursor_loop", f"GET {path} answered the same X-Next-Cursor twice")
        seen.add(cursor)


@dataclass(frozen=True)
class Chunk:
    body: bytes
    rows: int
    lines: dict[int, int]  # a record's last line in this chunk (header = line 1) -> its last line in the file

    def file_line(self, line: int) -> int:
        """The file's line of a row the API's report names by its line in this chunk."""
        return self.lines.get(line, line)


@dataclass(frozen=True)
class Split:
    chunks: list[Chunk]
    rejected: list[dict[str, Any]]  # rows refused here, as the API would have in one request
    rows: int


MAX_POINTS = 1_000_000
DUPLICATE = "This customer has an earlier row in this file."


def _record(row: list[str]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(row)
    return buf.getvalue().encode("utf-8")


def _customer_key(header: list[str], row: list[str]) -> str | None:
    """Who a row is for, when it would be imported: the API refuses a customer's second row in one request, so a
    second row in a later chunk is refused here the same way (not reported as already imported)."""
    cells = dict(zip(header, (v.strip() for v in row), strict=False))
    points = cells.get("points", "")
    if len(row) != len(header) or not points.lstrip("+").isdigit() or not 0 < int(points) <= MAX_POINTS:
        return None
    if cells.get("customer_id"):
        return "id:" + cells["customer_id"]
    return "email:" + cells["email"].lower() if cells.get("email") else None


def split(text: str, limit: int = MAX_IMPORT_BYTES) -> Split:
    """Whole rows, the header repeated in each chunk, each chunk at most `limit` bytes. The API names a rejected row
    by its CSV line (header = line 1): each chunk keeps the file's line of each of its rows."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    try:
        header_row = next(reader)
    except StopIteration:
        raise CsvError("empty_file", "the file is empty: a header row and data rows are expected") from None
    except csv.Error as exc:
        raise CsvError("bad_csv", f"line 1: {exc}") from None
    header = _record(header_row)
    columns = [h.strip().lower() for h in header_row]
    chunks: list[Chunk] = []
    rejected: list[dict[str, Any]] = []
    seen: set[str] = set()
    body: list[bytes] = []
    lines: dict[int, int] = {}
    size, at, rows, total = len(header), header.count(b"\n"), 0, 0
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            key = _customer_key(columns, row)
            if key is not None and key in seen:
                rejected.append({"row": line, "reason": "duplicate_customer", "message": DUPLICATE})
                continue
            if key is not None:
                seen.add(key)
            total += 1
            record = _record(row)
            if len(header) + len(record) > limit:
                raise CsvError("row_too_large", f"line {line} alone is over {limit} bytes")
            if size + len(record) > limit:
                chunks.append(Chunk(header + b"".join(body), rows, lines))
                body, lines, size, at, rows = [], {}, len(header), header.count(b"\n"), 0
            body.append(record)
            size += len(record)
            at += record.count(b"\n")
            lines[at] = line
            rows += 1
    except csv.Error as exc:
        raise CsvError("bad_csv", f"line {reader.line_num}: {exc}") from None
    if rows:
        chunks.append(Chunk(header + b"".join(body), rows, lines))
    if not chunks and not rejected:
        raise CsvError("empty_file", "the file has a header but no data rows")
    return Split(chunks, rejected, total)
