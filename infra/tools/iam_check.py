"""`make iam-check`: every AWS call the test suites saw a function make is granted by its policies in template.yaml.

The calls come from `make test` (PASSAPAROLA_IAM_RECORD, infra/local/iam_record.py): function LogicalId, IAM
action, resource ARN named by LogicalIds. The grants come from each function's `Policies` as CloudFormation would
deploy them: inline statements (`!Ref`/`!GetAtt`/`!Sub`/`!If` resolved, with every resource's physical name being
its LogicalId), SAM policy templates expanded from samtranslator's own policy_templates.json (.venv-sam), and the
managed policies SAM adds for the event sources and tracing. IAM's matching: `*` and `?` wildcards, actions case
insensitive, `NotResource`; statements' `Condition`s are assumed met (the check is about actions and resources).

It fails (exit 1) when a call is not granted (AccessDenied once deployed), when an entry of infra/iam_unused.yaml
matches no grant of the template any more, when a call could not be mapped to an action (an `error` row: its grant
was never checked), or when a function with grants recorded no call at all (it passed by not being seen) and is not
listed under `not_exercised:` in infra/iam_unused.yaml with the reason; it lists, per function, the calls seen, the grants and the grants never
called, so that policies can be cut to least privilege. A grant the suites never exercise but the function needs
says why in infra/iam_unused.yaml (the one place).

    python -m infra.tools.iam_check [--calls .iam-calls] [--template template.yaml] [--verbose]
"""

from __future__ import annotations

import argparse
import copy
import fnmatch
import json
import re
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from infra.local.template import FUNCTION, QUEUE, SECRET, TABLE, TOPIC, USER_POOL, Template

ROOT = Path(__file__).resolve().parents[2]
CALLS_DIR = ROOT / ".iam-calls"
ALLOWLIST = ROOT / "infra" / "iam_unused.yaml"
REGION, ACCOUNT = "us-east-1", "123456789012"  # as infra/local/iam_record.py writes its ARNs

# Parameters as a full deployment has them: optional features on, so that their grants are checked too.
PARAMETERS = {
    "WalletPassSecretArn": f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:WalletPassSecretArn",
    "EventBusName": "",  # the stack's own EventBus
    "AlarmTopicArn": "",
    "SenderEmail": "SenderEmail",
}
# API calls IAM does not authorise (public Cognito flows, the caller's identity)
NO_IAM = {
    "cognito-idp:InitiateAuth",
    "cognito-idp:RespondToAuthChallenge",
    "cognito-idp:GetUser",
    "cognito-idp:GlobalSignOut",
    "cognito-idp:ChangePassword",
    "sts:GetCallerIdentity",
}
# What SAM attaches on its own (managed policies), by cause: never "unused", not ours to cut
IMPLICIT: dict[str, list[str]] = {
    "SQS": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],  # AWSLambdaSQSQueueExecutionRole
    "DynamoDB": [  # AWSLambdaDynamoDBExecutionRole
        "dynamodb:DescribeStream",
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:ListStreams",
    ],
    "Tracing": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],  # AWSXrayWriteOnlyAccess
    "Logs": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],  # AWSLambdaBasicExecutionRole
}


@dataclass(frozen=True)
class Call:
    function: str
    action: str
    resource: str


@dataclass
class Grant:
    """One action pattern on one resource pattern (or anything but it: `negated`), from one policy."""

    action: str
    resource: str
    source: str
    negated: bool = False
    implicit: bool = False
    used: int = 0

    def allows(self, call: Call) -> bool:
        if not _match(self.action.lower(), call.action.lower()):
            return False
        return _match(self.resource, call.resource) != self.negated

    def label(self) -> str:
        return f"{self.action} on {'NOT ' if self.negated else ''}{short(self.resource)}"


@dataclass
class Report:
    calls: dict[str, set[Call]] = field(default_factory=dict)
    grants: dict[str, list[Grant]] = field(default_factory=dict)
    denied: list[Call] = field(default_factory=list)
    unused: dict[str, list[Grant]] = field(default_factory=dict)
    explained: dict[str, list[tuple[Grant, str]]] = field(default_factory=dict)
    stale: list[str] = field(default_factory=list)
    ignored: set[str] = field(default_factory=set)
    unseen: list[str] = field(default_factory=list)  # functions with grants and no recorded call, not explained
    errors: int = 0

    @property
    def ok(self) -> bool:
        return not self.denied and not self.stale and not self.unseen and not self.errors


# --------------------------------------------------------------------------------------------- matching
@cache
def _pattern(pattern: str) -> re.Pattern[str]:
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern), re.DOTALL)


def _match(pattern: str, value: str) -> bool:
    return _pattern(pattern).fullmatch(value) is not None


def short(arn: str) -> str:
    """`table/CampaignsTable` for arn:aws:dynamodb:<region>:<account>:table/CampaignsTable."""
    return re.sub(r"^arn:[^:]+:[^:]+:[^:*]*:[^:*]*:", "", arn) if arn.startswith("arn:") else arn


# --------------------------------------------------------------------------------------------- template
class _LogicalTemplate(Template):
    """The template resolved with every resource's physical name being its LogicalId (as the recording names them)."""

    def _default_physical(self) -> None:
        arn = f"arn:aws:{{}}:{self.region}:{self.account_id}:{{}}"
        for lid, res in self.resources.items():
            kind = res.get("Type") if isinstance(res, dict) else None
            if kind == TABLE:
                table = arn.format("dynamodb", f"table/{lid}")
                self.physical[lid] = {"Ref": lid, "Arn": table, "StreamArn": f"{table}/stream/*"}
            elif kind == QUEUE:
                url = f"https://sqs.{self.region}.amazonaws.com/{self.account_id}/{lid}"
                self.physical[lid] = {"Ref": url, "Arn": arn.format("sqs", lid), "QueueName": lid, "QueueUrl": url}
            elif kind == TOPIC:
                self.physical[lid] = {
                    "Ref": arn.format("sns", lid),
                    "TopicArn": arn.format("sns", lid),
                    "TopicName": lid,
                }
            elif kind == SECRET:
                self.physical[lid] = {"Ref": arn.format("secretsmanager", f"secret:{lid}"), "Id": lid}
            elif kind == "AWS::Events::EventBus":
                self.physical[lid] = {"Ref": lid, "Name": lid, "Arn": arn.format("events", f"event-bus/{lid}")}
            elif kind == USER_POOL:
                self.physical[lid] = {"Ref": lid, "Arn": arn.format("cognito-idp", f"userpool/{lid}")}
            elif kind == FUNCTION:
                self.physical[lid] = {"Ref": lid, "Arn": arn.format("lambda", f"function:{lid}")}
            elif kind == "AWS::S3::Bucket":
                self.physical[lid] = {"Ref": lid, "Arn": f"arn:aws:s3:::{lid}"}
            else:
                self.physical[lid] = {"Ref": lid}


def _policy_templates_file() -> Path:
    found = sorted(
        ROOT.glob(".venv-sam/lib/python*/site-packages/samtranslator/policy_templates_data/policy_templates.json")
    )
    if not found:
        raise SystemExit("iam-check: samtranslator's policy_templates.json not found: run `make venv-sam`")
    return found[-1]


@cache
def policy_templates() -> dict[str, Any]:
    return dict(json.loads(_policy_templates_file().read_text(encoding="utf-8"))["Templates"])


def _substitute(node: Any, values: dict[str, Any]) -> Any:
    """A policy template's definition with its `{"Ref": <Parameter>}` replaced by the values the function gives."""
    if isinstance(node, list):
        return [_substitute(n, values) for n in node]
    if isinstance(node, dict):
        if set(node) == {"Ref"} and node["Ref"] in values:
            return copy.deepcopy(values[node["Ref"]])
        return {k: _substitute(v, values) for k, v in node.items()}
    return node


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _statement_grants(tpl: Template, statements: Any, source: str) -> list[Grant]:
    grants: list[Grant] = []
    for st in _as_list(statements):
        st = tpl.resolve(st)
        if st.get("Effect") != "Allow":
            continue  # no Deny in these policies; an Allow-only check stays conservative
        sid = f"{source} {st['Sid']}" if st.get("Sid") else source
        negated = "NotResource" in st
        resources = [r for r in _as_list(st.get("NotResource" if negated else "Resource", "*")) if r != ""]
        for action in _as_list(st.get("Action", [])):
            grants += [Grant(str(action), str(r), sid, negated=negated) for r in resources]
    return grants


def function_grants(tpl: Template, lid: str) -> list[Grant]:
    """Every (action, resource) the function's role allows, as deployed."""
    props = tpl.props(lid)
    grants: list[Grant] = []
    for i, policy in enumerate(props.get("Policies") or []):
        if isinstance(policy, dict) and "Fn::If" in policy:
            cond, yes, no = policy["Fn::If"]
            policy = yes if tpl.condition(cond) else no
            if policy == {"Ref": "AWS::NoValue"}:
                continue
        if isinstance(policy, str):
            raise SystemExit(f"iam-check: {lid}: managed policy {policy} cannot be expanded")
        if "Statement" in policy:
            grants += _statement_grants(tpl, policy["Statement"], f"Policies[{i}]")
            continue
        ((name, values),) = policy.items()
        definition = policy_templates().get(name)
        if definition is None:
            raise SystemExit(f"iam-check: {lid}: unknown SAM policy template {name}")
        args = ", ".join(str(tpl.resolve(v)) for v in (values or {}).values())
        expanded = _substitute(definition["Definition"], values or {})
        grants += _statement_grants(tpl, expanded["Statement"], f"{name}({args})")
    grants += _implicit(tpl, lid)
    return grants


def _implicit(tpl: Template, lid: str) -> list[Grant]:
    props = {**tpl.globals_function(), **tpl.props(lid)}
    causes = ["Logs"] + (["Tracing"] if props.get("Tracing") == "Active" else [])
    grants: list[Grant] = []
    for event in (props.get("Events") or {}).values():
        kind = (event or {}).get("Type")
        if kind in IMPLICIT:
            causes.append(kind)
        destination = ((event.get("Properties") or {}).get("DestinationConfig") or {}).get("OnFailure") or {}
        if destination.get("Type") == "SQS":
            target = str(tpl.resolve(destination.get("Destination")))
            grants.append(Grant("sqs:SendMessage", target, "SAM: OnFailure destination", implicit=True))
    for cause in dict.fromkeys(causes):
        grants += [Grant(a, "*", f"SAM: {cause}", implicit=True) for a in IMPLICIT[cause]]
    return grants


def load_template(path: Path) -> Template:
    return _LogicalTemplate(path, region=REGION, account_id=ACCOUNT, parameter_overrides=PARAMETERS)


# ------------------------------------------------------------------------------------------------ calls
def load_calls(directory: Path) -> tuple[dict[str, set[Call]], int]:
    """The recorded calls of every process (calls-*.jsonl), merged; and how many could not be recorded."""
    calls: dict[str, set[Call]] = defaultdict(set)
    errors = 0
    for path in sorted(directory.rglob("*.jsonl")):  # test/ (make test), dynamodb-local/ (its streams)
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            if "error" in row:
                errors += 1
                continue
            if row["action"] not in NO_IAM:
                calls[row["function"]].add(Call(row["function"], row["action"], row["resource"]))
    return dict(calls), errors


NOT_EXERCISED = "not_exercised"
"""The allowlist's key for functions no suite runs: LogicalId -> why (a function with grants and no call fails)."""


def load_allowlist(path: Path) -> dict[str, list[dict[str, str]]]:
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    data.pop(NOT_EXERCISED, None)
    for lid, entries in data.items():
        for entry in entries:
            if not {"action", "resource", "why"} <= set(entry) or not str(entry["why"]).strip():
                raise SystemExit(f"iam-check: {path}: {lid}: each entry needs action, resource and why")
    return data


def load_not_exercised(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    data = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get(NOT_EXERCISED) or {}
    for lid, why in data.items():
        if not str(why or "").strip():
            raise SystemExit(f"iam-check: {path}: {NOT_EXERCISED}: {lid} needs a why")
    return {str(k): str(v) for k, v in data.items()}


# ------------------------------------------------------------------------------------------------ check
def check(
    template: Path,
    calls: dict[str, set[Call]],
    allowlist: dict[str, list[dict[str, str]]],
    not_exercised: dict[str, str] | None = None,
) -> Report:
    """`not_exercised` None: a partial recording (tests of the matching); otherwise every function with grants
    must have recorded a call or be listed there with a reason."""
    tpl = load_template(template)
    functions = sorted(tpl.of_type(FUNCTION))
    report = Report()
    report.ignored = set(calls) - set(functions)
    matched: set[tuple[str, int]] = set()  # the allowlist entries that explain a grant
    for lid in functions:
        grants = function_grants(tpl, lid)
        seen = calls.get(lid, set())
        report.grants[lid], report.calls[lid] = grants, seen
        for call in sorted(seen, key=lambda c: (c.action, c.resource)):
            allowing = [g for g in grants if g.allows(call)]
            for g in allowing:
                g.used += 1
            if not allowing:
                report.denied.append(call)
        reasons = [(lid, i, e) for i, e in enumerate(allowlist.get(lid, []))]
        reasons += [("*", i, e) for i, e in enumerate(allowlist.get("*", []))]  # entries for every function
        for g in grants:
            if g.implicit:
                continue
            whys = [
                (key, i, e["why"])
                for key, i, e in reasons
                if fnmatch.fnmatchcase(g.action, e["action"]) and fnmatch.fnmatchcase(short(g.resource), e["resource"])
            ]
            matched.update((key, i) for key, i, _ in whys)  # an entry is stale only once its grant is gone
            if g.used:
                continue
            if whys:
                report.explained.setdefault(lid, []).append((g, whys[0][2]))
            else:
                report.unused.setdefault(lid, []).append(g)
    if not_exercised is not None:
        for lid, grants in report.grants.items():
            if not report.calls[lid] and any(not g.implicit for g in grants) and lid not in not_exercised:
                report.unseen.append(lid)
        for lid in not_exercised:
            if lid not in report.grants:
                report.stale.append(f"{NOT_EXERCISED}: {lid}: not a function of the template")
            elif report.calls[lid]:
                report.stale.append(f"{NOT_EXERCISED}: {lid}: the suites now record its calls")
    for key, entries in allowlist.items():
        if key != "*" and key not in report.grants:
            report.stale.append(f"{key}: not a function of the template")
            continue
        report.stale += [
            f"{key}: {e['action']} on {e['resource']} ({e['why']})"
            for i, e in enumerate(entries)
            if (key, i) not in matched
        ]
    return report


def render(report: Report, verbose: bool = False) -> str:
    lines = ["IAM: the calls the test suites saw each function make, against its policies (template.yaml)", ""]
    header = ("function", "calls", "grants", "used", "unused", "explained", "denied")
    rows = []
    denied_by: dict[str, int] = defaultdict(int)
    for call in report.denied:
        denied_by[call.function] += 1
    for lid, grants in report.grants.items():
        own = [g for g in grants if not g.implicit]
        rows.append(
            (
                lid,
                str(len(report.calls[lid])),
                str(len(own)),
                str(sum(1 for g in own if g.used)),
                str(len(report.unused.get(lid, []))),
                str(len(report.explained.get(lid, []))),
                str(denied_by[lid]),
            )
        )
    totals = ("total", *(str(sum(int(r[i]) for r in rows)) for i in range(1, 7)))
    widths = [max(len(r[i]) for r in [header, *rows, totals]) for i in range(7)]
    for i, row in enumerate([header, *rows, totals]):
        if i == len(rows) + 1:
            lines.append("  ".join("-" * w for w in widths))
        lines.append(
            "  ".join(c.ljust(w) if j == 0 else c.rjust(w) for j, (c, w) in enumerate(zip(row, widths, strict=True)))
        )
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    if verbose:
        for lid, grants in report.grants.items():
            lines += ["", f"{lid}", "  calls seen:"]
            lines += [
                f"    {c.action} on {short(c.resource)}"
                for c in sorted(report.calls[lid], key=lambda c: (c.action, c.resource))
            ]
            lines.append("  grants (uses):")
            lines += [f"    {g.label()}  [{g.source}]  {g.used}" for g in grants if not g.implicit]
    if report.unused:
        lines += ["", "Granted, never called by the suites (cut them, or say why in infra/iam_unused.yaml):"]
        for lid, grants in report.unused.items():
            lines += [f"  {lid}: {g.label()}  [{g.source}]" for g in grants]
    if report.explained and verbose:
        lines += ["", "Granted, never called, kept (infra/iam_unused.yaml):"]
        for lid, pairs in report.explained.items():
            lines += [f"  {lid}: {g.label()} - {why}" for g, why in pairs]
    if report.ignored:
        lines += [
            "",
            f"Recorded for functions template.yaml does not have (ignored): {', '.join(sorted(report.ignored))}",
        ]
    if report.errors:
        lines += ["", f"FAIL: {report.errors} call(s) could not be mapped to an action (calls-*.jsonl 'error' rows)"]
    if report.unseen:
        lines += ["", "FAIL: functions with grants and no recorded call (run the suites that exercise them, or say"]
        lines += [f"why in infra/iam_unused.yaml `{NOT_EXERCISED}:`): {', '.join(report.unseen)}"]
    if report.stale:
        lines += ["", "FAIL: infra/iam_unused.yaml explains grants the template no longer has:"]
        lines += [f"  {s}" for s in report.stale]
    if report.denied:
        lines += ["", "FAIL: calls no policy grants (AccessDenied once deployed):"]
        lines += [f"  {c.function}: {c.action} on {short(c.resource)}" for c in report.denied]
    lines += ["", "iam-check: " + ("OK" if report.ok else "FAILED")]
    return "\n".join(lines)


def recordings_problem(calls: Path, required: list[str]) -> str:
    """Why the recordings cannot be checked: one is missing, or was made at another commit (`COMMIT`, by make)."""
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False)
    for name in required:
        folder = calls / name
        if not folder.is_dir() or not any(folder.glob("*.jsonl")):
            return f"no recorded calls in {folder}: run `make test` and `make test-dynamodb-local` first"
        stamp = folder / "COMMIT"
        made = stamp.read_text(encoding="utf-8").strip() if stamp.is_file() else ""
        if made and head.returncode == 0 and made != head.stdout.strip():
            return f"{folder} was recorded at commit {made[:12]}, HEAD is {head.stdout.strip()[:12]}: run it again"
    return ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--calls", type=Path, default=CALLS_DIR, help="directory of calls-*.jsonl (make test)")
    parser.add_argument("--template", type=Path, default=ROOT / "template.yaml")
    parser.add_argument("--allowlist", type=Path, default=ALLOWLIST)
    parser.add_argument("--verbose", "-v", action="store_true", help="list every call and grant per function")
    parser.add_argument(
        "--require", nargs="*", default=[], help="recordings (subdirectories of --calls) that must exist, of HEAD"
    )
    args = parser.parse_args(argv)
    if not args.calls.is_dir() or not any(args.calls.rglob("*.jsonl")):
        print(f"iam-check: no recorded calls in {args.calls}: run `make test` first", file=sys.stderr)
        return 2
    problem = recordings_problem(args.calls, args.require)
    if problem:
        print(f"iam-check: {problem}", file=sys.stderr)
        return 2
    calls, errors = load_calls(args.calls)
    merged = sorted(
        ({"function": c.function, "action": c.action, "resource": c.resource} for s in calls.values() for c in s),
        key=lambda r: (r["function"], r["action"], r["resource"]),
    )
    (args.calls / "calls.json").write_text(json.dumps(merged, indent=1) + "\n", encoding="utf-8")
    report = check(args.template, calls, load_allowlist(args.allowlist), load_not_exercised(args.allowlist))
    report.errors = errors
    print(render(report, args.verbose))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
