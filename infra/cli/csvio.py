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
    numbers: tuple[int, ...]  # the file's data row number (1 = the row after the header) of each row sent
    body: bytes

    def file_row(self, row: int) -> int:
        """The file's row number of this chunk's `row` (1-based, as the API's report counts them)."""
        return self.numbers[row - 1] if 1 <= row <= len(self.numbers) else row


def _record(row: list[str]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(row)
    return buf.getvalue().encode("utf-8")


def split(text: str, limit: int = MAX_IMPORT_BYTES) -> list[Chunk]:
    """Whole rows, the header repeated in each chunk, each chunk at most `limit` bytes. Blank lines are no rows:
    dropped, but counted, so the rows of a merged report are numbered as in the file."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    try:
        header = _record(next(reader))
    except StopIteration:
        raise CsvError("empty_file", "the file is empty: a header row and data rows are expected") from None
    except csv.Error as exc:
        raise CsvError("bad_csv", f"line 1: {exc}") from None
    chunks: list[Chunk] = []
    body: list[bytes] = []
    numbers: list[int] = []
    size = len(header)
    number = 0
    try:
        for row in reader:
            number += 1
            if not any(cell.strip() for cell in row):
                continue
            record = _record(row)
            if len(header) + len(record) > limit:
                raise CsvError("row_too_large", f"row {number} alone is over {limit} bytes")
            if size + len(record) > limit:
                chunks.append(Chunk(tuple(numbers), header + b"".join(body)))
                body, numbers, size = [], [], len(header)
            body.append(record)
            numbers.append(number)
            size += len(record)
    except csv.Error as exc:
        raise CsvError("bad_csv", f"row {number + 1}: {exc}") from None
    if numbers:
        chunks.append(Chunk(tuple(numbers), header + b"".join(body)))
    if not chunks:
        raise CsvError("empty_file", "the file has a header but no data rows")
    return chunks
