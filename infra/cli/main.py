"""The `passaparola` command: argument parsing, the commands, and one readable line per error.

Exit codes: 0 done, 1 the API answered an error (or the work it reports failed), 2 a usage or configuration
error (nothing was sent), 3 no answer from the API (network). Errors are one line on stderr,
`passaparola: <code>: <message>`; results go to stdout, progress and notes to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

from infra.cli import config as cfg
from infra.cli import csvio
from infra.cli.http import ApiError, Client, NetworkError, segment
from infra.cli.progress import Progress

PROG = "passaparola"
EXIT_API, EXIT_USAGE, EXIT_NETWORK = 1, 2, 3
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it
POLL_SECONDS = 1.0
pause: Callable[[float], None] = time.sleep  # between two polls of a batch (tests replace it)
KEY_PREFIX_CHARS = 16  # an API key is named and revoked by its first 16 characters (docs/console.md)


class UsageError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class Failed(Exception):
    """The API accepted the call but the work failed (a batch, a ping, rejected rows): exit 1."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class Interrupted(Exception):
    """Ctrl-C: exit 130, saying what goes on without the CLI."""


class Parser(argparse.ArgumentParser):
    """argparse, with its errors as the CLI's one line (exit 2) instead of a usage block."""

    def error(self, message: str) -> NoReturn:
        raise UsageError("usage", f"{message} (see `{self.prog} --help`)")


def _period(value: str) -> str:
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
        raise argparse.ArgumentTypeError(f"{value!r} is not a month YYYY-MM")
    return value


def _count(value: str) -> int:
    try:
        n = int(value.replace("_", "").replace(",", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if n < 1:
        raise argparse.ArgumentTypeError("at least 1")
    return n


def _when(value: str) -> str:
    """A day (YYYY-MM-DD, midnight UTC) or an ISO-8601 time, passed on as the API reads it."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            date.fromisoformat(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{value!r} is not a date") from None
        return f"{value}T00:00:00Z"
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}T[0-9:.]+(Z|[+-]\d{2}:?\d{2})?", value):
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD) or an ISO time")
    return value


def _csv_list(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


# ------------------------------------------------------------------ output


def _json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, indent=2, ensure_ascii=False) + "\n")


def _table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> None:
    cells = [[_cell(r.get(c)) for c in columns] for r in rows]
    widths = [max([len(c.upper())] + [len(row[i]) for row in cells]) for i, c in enumerate(columns)]
    lines = ["  ".join(c.upper().ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    sys.stdout.write("\n".join(lines) + "\n")


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


def _note(text: str) -> None:
    sys.stderr.write(text + "\n")


# ------------------------------------------------------------------ keys


def keys_list(client: Client, args: argparse.Namespace) -> None:
    answer = client.get("/v1/keys")
    if args.json:
        return _json(answer)
    _table(answer["items"], ["prefix", "kind", "name", "created_at", "revoked_at"])


def keys_create(client: Client, args: argparse.Namespace) -> None:
    answer = client.post("/v1/keys", {"kind": args.kind, "name": args.name}, retry=False)
    if args.json:
        return _json(answer)
    print(answer["key"])
    _note(f"{answer['kind']} key {answer['name']!r} created ({answer['prefix']}): shown this once, keep it now")


def keys_revoke(client: Client, args: argparse.Namespace) -> None:
    prefix = args.prefix[:KEY_PREFIX_CHARS]
    answer = client.post(f"/v1/keys/{segment(prefix)}/revoke")
    if args.json:
        return _json(answer)
    print(f"revoked {answer['prefix']} ({answer['name']}) at {answer['revoked_at']}")


# ------------------------------------------------------------------ codes


def codes_generate(client: Client, args: argparse.Namespace) -> None:
    body = {"count": args.count, "pattern": args.pattern, "prefix": args.prefix, "suffix": args.suffix}
    path = f"/v1/campaigns/{segment(args.campaign)}/codes"
    # An Idempotency-Key makes a retried POST (a lost answer) return the first batch instead of a second one.
    answer = client.request(
        "POST",
        path,
        json_body={k: v for k, v in body.items() if v is not None},
        headers={"Idempotency-Key": f"cli-{uuid.uuid4()}"},
        retry=True,
    ).json()
    batch = answer.get("batch")
    if batch is None:  # 1,000 codes or fewer: written at once, in the answer
        if args.json:
            return _json(answer)
        for code in answer["codes"]:
            print(code["code"])
        _note(f"{answer['created']:,} codes created")
        return None
    if not args.no_wait:
        batch = wait_for_batch(client, args.campaign, batch, args.poll)
    if args.json:
        return _json(batch)
    print(batch["id"])
    if args.no_wait:
        path = f"/v1/campaigns/{args.campaign}/batches/{batch['id']}"
        _note(f"batch {batch['id']}: {batch['requested']:,} codes, {batch['status']}; its progress: GET {path}")
    else:
        export = f"{PROG} codes export --campaign {args.campaign} --batch {batch['id']}"
        _note(f"batch {batch['id']}: {batch['created']:,} codes created; `{export}`")
    return None


def wait_for_batch(
    client: Client,
    campaign: str,
    batch: dict[str, Any],
    poll: float,
) -> dict[str, Any]:
    """Poll the batch's progress (`created` of `requested`) until it completes; a failed batch is exit 1."""
    progress = Progress("codes", int(batch["requested"]), sys.stderr)
    path = f"/v1/campaigns/{segment(campaign)}/batches/{segment(batch['id'])}"
    try:
        while batch["status"] in ("pending", "running"):
            progress.update(int(batch["created"]))
            pause(poll)
            batch = client.get(path)
    except KeyboardInterrupt:
        progress.abandon()
        raise Interrupted(f"batch {batch['id']} goes on in the background; its progress: GET {path}") from None
    except BaseException:
        progress.abandon()
        raise
    progress.finish(int(batch["created"]))
    if batch["status"] != "completed":
        raise Failed(
            "batch_failed",
            f"batch {batch['id']} {batch['status']} after {batch['created']:,} of {batch['requested']:,} codes",
        )
    return batch


def codes_export(client: Client, args: argparse.Namespace) -> None:
    campaign = segment(args.campaign)
    if args.batch:
        _export(client, f"/v1/campaigns/{campaign}/batches/{segment(args.batch)}/codes", {"format": "csv"}, args.output)
    else:
        _export(client, f"/v1/campaigns/{campaign}/codes/export", {}, args.output)


def _export(client: Client, path: str, query: dict[str, Any], output: str | None) -> None:
    with csvio.output(output) as out:
        rows = csvio.export(client, path, query, out)
    if output not in (None, "-"):
        _note(f"{rows:,} rows written to {output}")


# ------------------------------------------------------------------ segments, payouts, customers


def segments_export(client: Client, args: argparse.Namespace) -> None:
    _export(client, f"/v1/segments/{segment(args.name)}/customers", {"format": "csv"}, args.output)


def segments_changes(client: Client, args: argparse.Namespace) -> None:
    _export(client, "/v1/segments/changes", {"format": "csv", "since": args.since}, args.output)


def rewards_export(client: Client, args: argparse.Namespace) -> None:
    query = {"format": "csv", "since": args.since, "until": args.until, "status": args.status}
    _export(client, "/v1/rewards", query, args.output)


def points_ledger(client: Client, args: argparse.Namespace) -> None:
    _export(client, "/v1/points/ledger", {"format": "csv", "since": args.since, "until": args.until}, args.output)


def payouts_export(client: Client, args: argparse.Namespace) -> None:
    _export(client, "/v1/payouts", {"period": args.period, "format": "csv"}, args.output)


def payouts_paid(client: Client, args: argparse.Namespace) -> None:
    answer = client.post(f"/v1/payouts/{segment(args.id)}/paid", {"reference": args.reference})
    if args.json:
        return _json(answer)
    print(f"paid {answer['id']}: {answer['amount']} {answer['currency']} (reference {answer.get('reference')})")
    return None


def customers_export(client: Client, args: argparse.Namespace) -> None:
    answer = client.get(f"/v1/customers/{segment(args.id)}/export")
    text = json.dumps(answer, indent=2, ensure_ascii=False) + "\n"
    with csvio.output(args.output) as out:
        out.write(text.encode("utf-8"))


# ------------------------------------------------------------------ points import


def points_import(client: Client, args: argparse.Namespace) -> None:
    try:
        text = Path(args.file).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError("bad_file", f"{args.file}: {exc}") from None
    split = csvio.split(text, args.chunk_bytes)
    report: dict[str, Any] = {"name": args.name, "rows": 0, "imported": 0, "already_imported": 0}
    rejected = list(split.rejected)
    progress = Progress("rows", split.rows, sys.stderr) if len(split.chunks) > 1 else None
    sent = 0
    run = uuid.uuid4()
    for n, chunk in enumerate(split.chunks):
        # Each row is idempotent on (name, customer), and the Idempotency-Key makes a chunk sent again (its answer
        # lost) answer its first report, not "already imported".
        part = client.request(
            "POST",
            "/v1/points/imports",
            query={"name": args.name},
            body=chunk.body,
            content_type="text/csv",
            headers={"Idempotency-Key": f"cli-{run}-{n}"},
            retry=True,
        ).json()
        for key in ("rows", "imported", "already_imported"):
            report[key] += int(part.get(key) or 0)
        rejected += [{**r, "row": chunk.file_line(int(r.get("row") or 0))} for r in part.get("rejected") or []]
        sent += chunk.rows
        if progress:
            progress.update(sent)
    if progress:
        progress.finish(sent)
    report["rejected"] = sorted(rejected, key=lambda r: int(r.get("row") or 0))
    if args.json:
        _json(report)
    else:
        print(
            f"{report['name']}: {report['rows']:,} rows, {report['imported']:,} imported, "
            f"{report['already_imported']:,} already imported, {len(report['rejected']):,} rejected"
        )
        for r in report["rejected"]:
            print(f"line {r['row']}: {r.get('reason')}: {r.get('message')}")
    if report["rejected"]:
        raise Failed("rows_rejected", f"{len(report['rejected']):,} rows rejected (lines listed in the report)")


# ------------------------------------------------------------------ webhooks


def webhooks_list(client: Client, args: argparse.Namespace) -> None:
    answer = client.get("/v1/webhooks")
    if args.json:
        return _json(answer)
    _table(answer["items"], ["id", "enabled", "url", "events", "description"])


def webhooks_create(client: Client, args: argparse.Namespace) -> None:
    body = {"url": args.endpoint, "events": args.events, "description": args.description}
    answer = client.post("/v1/webhooks", {k: v for k, v in body.items() if v is not None}, retry=False)
    if args.json:
        return _json(answer)
    print(f"{answer['id']} {answer['secret']}")
    _note(f"webhook {answer['id']} created: its signing secret is shown this once")
    return None


def webhooks_test(client: Client, args: argparse.Namespace) -> None:
    answer = client.post(f"/v1/webhooks/{segment(args.id)}/test")
    if args.json:
        _json(answer)
    else:
        print(f"{'ok' if answer.get('ok') else 'failed'}: {_attempt(answer)}")
    if not answer.get("ok"):
        raise Failed("ping_failed", f"{args.id}: {_attempt(answer)}")


def _attempt(answer: dict[str, Any]) -> str:
    status = answer.get("status_code")
    said = f"answered {status}" if status else f"no answer ({answer.get('error') or 'error'})"
    return f"{said} in {answer.get('duration_ms')} ms"


def webhooks_replay(client: Client, args: argparse.Namespace) -> None:
    if args.event and (args.since or args.until or args.types):
        raise UsageError("usage", "give --event, or --since and --until (with --types), not both")
    if args.event:
        body: dict[str, Any] = {"event_id": args.event}
    elif args.since and args.until:
        body = {"since": args.since, "until": args.until, **({"types": args.types} if args.types else {})}
    else:
        raise UsageError("usage", "give --event ID, or --since and --until")
    answer = client.post(f"/v1/webhooks/{segment(args.id)}/replay", body)
    if args.json:
        return _json(answer)
    print(f"queued {answer.get('queued')}")
    return None


def webhooks_rotate(client: Client, args: argparse.Namespace) -> None:
    body = {"expire_previous_in_hours": args.expire_previous_in_hours}
    answer = client.post(f"/v1/webhooks/{segment(args.id)}/secret/rotate", body, retry=False)
    if args.json:
        return _json(answer)
    print(answer["secret"])
    _note(
        f"{answer['id']}: new secret; the previous one is still valid until {answer.get('previous_secret_expires_at')}"
    )
    return None


def webhooks_deliveries(client: Client, args: argparse.Namespace) -> None:
    answer = client.get(
        f"/v1/webhooks/{segment(args.id)}/deliveries", status=args.status, limit=args.limit, cursor=args.cursor
    )
    if args.json:
        return _json(answer)
    _table(answer["items"], ["at", "event_id", "event_type", "attempt", "status", "status_code", "error"])
    if answer.get("next_cursor"):
        _note(f"more: --cursor {answer['next_cursor']}")
    return None


# ------------------------------------------------------------------ parser


def build_parser() -> Parser:
    common = Parser(add_help=False)
    g = common.add_argument_group("connection (flags, then PASSAPAROLA_* variables, then the profile)")
    g.add_argument(
        "--url", default=argparse.SUPPRESS, help=f"API base URL (PASSAPAROLA_URL; default {cfg.DEFAULT_URL})"
    )
    g.add_argument("--key", default=argparse.SUPPRESS, help="secret key sk_... (PASSAPAROLA_SECRET_KEY)")
    g.add_argument(
        "--profile",
        default=argparse.SUPPRESS,
        help="a table of ~/.config/passaparola/profiles.toml with url and key (PASSAPAROLA_PROFILE)",
    )
    g.add_argument("--timeout", type=float, default=argparse.SUPPRESS, help="seconds per request (default 60)")
    g.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print the API's JSON answers")

    parser = Parser(
        prog=PROG,
        parents=[common],
        description="Passaparola admin CLI: talks to the HTTP API with a secret key.",
        epilog="Exit codes: 0 ok, 1 an API error, 2 usage, 3 network. docs/integrations.md, 'The CLI'.",
    )
    groups = parser.add_subparsers(dest="group", metavar="COMMAND", required=True, parser_class=Parser)

    def command(sub: Any, name: str, fn: Callable[..., None], help_: str) -> Parser:
        p: Parser = sub.add_parser(name, parents=[common], help=help_, description=help_)
        p.set_defaults(fn=fn)
        return p

    def group(name: str, help_: str) -> Any:
        p = groups.add_parser(name, parents=[common], help=help_, description=help_)
        return p.add_subparsers(dest="command", metavar="SUBCOMMAND", required=True, parser_class=Parser)

    def output(p: Parser) -> None:
        p.add_argument("-o", "--output", metavar="FILE", help="write to FILE (default stdout)")

    keys = group("keys", "API keys (owner)")
    command(keys, "list", keys_list, "list the keys (prefixes only)")
    p = command(keys, "create", keys_create, "create a key: the key is printed once, on stdout")
    p.add_argument("--kind", choices=["secret", "publishable"], default="secret")
    p.add_argument("--name", required=True)
    p = command(keys, "revoke", keys_revoke, "revoke a key by its prefix (or the whole key)")
    p.add_argument("prefix")

    codes = group("codes", "discount codes")
    p = command(codes, "generate", codes_generate, "generate codes; above 1,000 a background batch, followed here")
    p.add_argument("--campaign", required=True, metavar="ID")
    p.add_argument(
        "--count", required=True, type=_count, metavar="N", help="how many (1 to 1,000,000; 100_000 is fine)"
    )
    p.add_argument("--prefix")
    p.add_argument("--suffix")
    p.add_argument("--pattern", help="'#' digit, '?' letter, '*' any (default 8 characters)")
    p.add_argument("--no-wait", action="store_true", help="print the batch id and return without following it")
    p.add_argument("--poll", type=float, default=POLL_SECONDS, help=argparse.SUPPRESS)
    p = command(codes, "export", codes_export, "a campaign's codes as CSV, or one batch's (--batch)")
    p.add_argument("--campaign", required=True, metavar="ID")
    p.add_argument("--batch", metavar="ID", help="only this batch's codes")
    output(p)

    segments = group("segments", "segment members as CSV")
    p = command(segments, "export", segments_export, "a segment's members as CSV (for a marketing tool)")
    p.add_argument("name")
    output(p)
    p = command(segments, "changes", segments_changes, "the segment change feed (entries and exits) as CSV")
    p.add_argument("--since", type=_when, required=True, help="YYYY-MM-DD or an ISO time (kept 35 days)")
    output(p)

    rewards = group("rewards", "rewards across customers (accounting)")
    p = command(rewards, "export", rewards_export, "every customer's rewards created in a time range, as CSV")
    p.add_argument("--since", type=_when, required=True, help="YYYY-MM-DD or an ISO time")
    p.add_argument("--until", type=_when)
    p.add_argument("--status", choices=["pending", "released", "voided", "reversed"])
    output(p)

    payouts = group("payouts", "cash rewards owed to referrers")
    p = command(payouts, "export", payouts_export, "a month's payouts as CSV")
    p.add_argument("--period", required=True, type=_period, metavar="YYYY-MM")
    output(p)
    p = command(payouts, "paid", payouts_paid, "mark a payout settled")
    p.add_argument("id")
    p.add_argument("--reference", required=True, help="your payment's reference")

    points = group("points", "loyalty points")
    p = command(points, "import", points_import, "import balances from a CSV (customer_id or email, points, reason)")
    p.add_argument("file")
    p.add_argument("--name", required=True, help="the import's name: a re-run of the same name adds nothing twice")
    p.add_argument("--chunk-bytes", type=int, default=csvio.MAX_IMPORT_BYTES, help=argparse.SUPPRESS)
    p = command(points, "ledger", points_ledger, "every customer's points ledger lines in a time range, as CSV")
    p.add_argument("--since", type=_when, required=True, help="YYYY-MM-DD or an ISO time")
    p.add_argument("--until", type=_when)
    output(p)

    webhooks = group("webhooks", "webhook endpoints")
    command(webhooks, "list", webhooks_list, "list the endpoints")
    p = command(webhooks, "create", webhooks_create, "register an endpoint: prints its id and signing secret")
    p.add_argument("endpoint", metavar="URL", help="the endpoint's URL")
    p.add_argument("--events", type=_csv_list, required=True, help="comma-separated types: coupon.redeemed,referral.*")
    p.add_argument("--description")
    p = command(webhooks, "test", webhooks_test, "deliver a webhook.ping now (exit 1 unless it answered 2xx)")
    p.add_argument("id")
    p = command(webhooks, "replay", webhooks_replay, "deliver one event, or a time range of events, again")
    p.add_argument("id")
    p.add_argument("--event", metavar="EVENT_ID")
    p.add_argument("--since", type=_when)
    p.add_argument("--until", type=_when)
    p.add_argument("--types", type=_csv_list, help="comma-separated types (with --since/--until)")
    p = command(webhooks, "rotate", webhooks_rotate, "a new signing secret (printed once); the old one valid a while")
    p.add_argument("id")
    p.add_argument("--expire-previous-in-hours", type=int, default=24, metavar="HOURS")
    p = command(webhooks, "deliveries", webhooks_deliveries, "an endpoint's delivery log, newest first")
    p.add_argument("id")
    p.add_argument("--status", choices=["pending", "succeeded", "failed", "dead"])
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--cursor")

    customers = group("customers", "customers")
    p = command(customers, "export", customers_export, "everything held about a customer (right of access), JSON")
    p.add_argument("id")
    output(p)
    return parser


def fail(code: str, message: str, exit_code: int) -> int:
    sys.stderr.write(f"{PROG}: {code}: {' '.join(message.split())}\n")
    return exit_code


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        args.json = getattr(args, "json", False)
        config = cfg.resolve(
            url=_global(args, "url"),
            key=_global(args, "key"),
            profile=_global(args, "profile"),
            timeout=_global(args, "timeout"),
        )
        args.fn(Client(config), args)
    except UsageError as exc:
        return fail(exc.code, exc.message, EXIT_USAGE)
    except (cfg.ConfigError, csvio.CsvError) as exc:
        return fail(exc.code, exc.message, EXIT_USAGE)
    except ApiError as exc:
        return fail(exc.code, exc.message, EXIT_API)
    except Failed as exc:
        return fail(exc.code, exc.message, EXIT_API)
    except NetworkError as exc:
        return fail("network", str(exc), EXIT_NETWORK)
    except OSError as exc:
        if isinstance(exc, BrokenPipeError):  # `passaparola ... | head`: the reader has what it wanted
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0
        return fail("io", str(exc), EXIT_API)
    except Interrupted as exc:
        return fail("interrupted", str(exc), EXIT_INTERRUPTED)
    except KeyboardInterrupt:
        return fail("interrupted", "stopped (Ctrl-C)", EXIT_INTERRUPTED)
    return 0


def _global(args: argparse.Namespace, name: str) -> Any:
    return getattr(args, name, None)
