"""Read template.yaml (the one source of truth) and resolve CloudFormation intrinsics to local values.

Nothing here talks to AWS: the resolver works on a map of physical values (names, URLs, ARNs) that
`aws.py` fills in after creating resources. Anything it cannot resolve becomes "" instead of failing,
because the local stack should start even when the template uses something we do not emulate.
"""

from __future__ import annotations

import copy
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

log = logging.getLogger("infra.local")

STACK_NAME = "passaparola-local"
ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"
LOCAL_PARAMETER_VALUES = {
    "Stage": "local",
    "AllowedOrigins": "*",
    "SenderEmail": "shop@passaparola.local",  # verified in the SES emulation at start
    "MessageRetryBaseSeconds": "1",
    "MessageSendTimeoutSeconds": "5",  # a delayed SES/SNS answer (POST /local/faults) times out within seconds
}

TABLE = "AWS::DynamoDB::Table"
QUEUE = "AWS::SQS::Queue"
TOPIC = "AWS::SNS::Topic"
SECRET = "AWS::SecretsManager::Secret"
FUNCTION = "AWS::Serverless::Function"
USER_POOL = "AWS::Cognito::UserPool"
USER_POOL_CLIENT = "AWS::Cognito::UserPoolClient"
USER_POOL_GROUP = "AWS::Cognito::UserPoolGroup"


class NoValue:
    """AWS::NoValue: the property is removed."""


NO_VALUE = NoValue()


# --------------------------------------------------------------------------------------------- YAML
class CfnLoader(yaml.SafeLoader):
    """SafeLoader that turns CloudFormation short tags (!Ref, !GetAtt, !Sub, ...) into their long form."""


def _construct_tag(loader: CfnLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    if tag_suffix == "Ref":
        return {"Ref": value}
    if tag_suffix == "Condition":
        return {"Condition": value}
    if tag_suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{tag_suffix}": value}


CfnLoader.add_multi_constructor("!", _construct_tag)  # type: ignore[no-untyped-call]


def load_yaml(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        data = yaml.load(fh, Loader=CfnLoader)  # noqa: S506 - CfnLoader is a SafeLoader
    return data or {}


# ----------------------------------------------------------------------------------------- Template
@dataclass
class ApiEvent:
    function_id: str
    path: str
    method: str  # upper case, or ANY


@dataclass
class ScheduleEvent:
    function_id: str
    name: str
    expression: str
    enabled: bool
    input: Any = None


@dataclass
class SqsEvent:
    function_id: str
    name: str
    queue_id: str  # logical id of the queue
    batch_size: int
    report_failures: bool
    enabled: bool = True


@dataclass
class StreamEvent:
    """A DynamoDB stream event source mapping (`Type: DynamoDB`)."""

    function_id: str
    name: str
    table_id: str  # logical id of the table whose stream it reads
    batch_size: int
    starting_position: str  # LATEST or TRIM_HORIZON
    filters: list[dict[str, Any]]  # FilterCriteria patterns, parsed
    report_failures: bool
    max_retries: int  # -1: until the record expires (24 h), as Lambda
    on_failure_id: str  # logical id of the OnFailure destination queue ("" none)
    enabled: bool = True


@dataclass
class FunctionSpec:
    logical_id: str
    code_dir: Path
    handler: str  # "module.function"
    timeout: int
    memory: int
    environment: dict[str, str]
    api_events: list[ApiEvent] = field(default_factory=list)
    schedules: list[ScheduleEvent] = field(default_factory=list)
    sqs_events: list[SqsEvent] = field(default_factory=list)
    stream_events: list[StreamEvent] = field(default_factory=list)
    module_name: str = ""  # unique import name: every function has an `app.py`, they cannot all be `app`


class Template:
    """A parsed SAM template plus a resolver for its intrinsic functions."""

    def __init__(
        self,
        path: Path | str,
        *,
        region: str = DEFAULT_REGION,
        account_id: str = ACCOUNT_ID,
        stack_name: str = STACK_NAME,
        parameter_overrides: dict[str, str] | None = None,
    ) -> None:
        self.path = Path(path).resolve()
        self.root = self.path.parent
        self.doc = load_yaml(self.path)
        self.region = region
        self.account_id = account_id
        self.stack_name = stack_name
        self.resources: dict[str, dict[str, Any]] = self.doc.get("Resources") or {}
        self.parameters = self._parameter_values(parameter_overrides or {})
        self._conditions: dict[str, bool] = {}
        # logical id -> {"Ref": ..., "<Attr>": ...}; filled with predictable defaults, then by aws.py
        self.physical: dict[str, dict[str, str]] = {}
        self._default_physical()

    # ------------------------------------------------------------------ parameters and conditions
    def _parameter_values(self, overrides: dict[str, str]) -> dict[str, str]:
        values: dict[str, str] = {}
        for name, spec in (self.doc.get("Parameters") or {}).items():
            if name in overrides:
                values[name] = overrides[name]
            elif name in LOCAL_PARAMETER_VALUES:
                values[name] = LOCAL_PARAMETER_VALUES[name]
            else:
                default = (spec or {}).get("Default", "")
                values[name] = ",".join(map(str, default)) if isinstance(default, list) else str(default)
        return values

    def condition(self, name: str) -> bool:
        if name not in self._conditions:
            self._conditions[name] = False  # guards against cycles
            expr = (self.doc.get("Conditions") or {}).get(name)
            self._conditions[name] = bool(self.resolve(expr)) if expr is not None else False
        return self._conditions[name]

    def enabled(self, logical_id: str) -> bool:
        cond = self.resources.get(logical_id, {}).get("Condition")
        return True if cond is None else self.condition(str(cond))

    def of_type(self, rtype: str) -> dict[str, dict[str, Any]]:
        return {
            lid: res
            for lid, res in self.resources.items()
            if isinstance(res, dict) and res.get("Type") == rtype and self.enabled(lid)
        }

    def props(self, logical_id: str) -> dict[str, Any]:
        props = self.resources[logical_id].get("Properties") or {}
        return props if isinstance(props, dict) else {}

    # --------------------------------------------------------------------------- physical values
    def default_name(self, logical_id: str) -> str:
        return f"{self.stack_name}-{logical_id}"

    def physical_name(self, logical_id: str, prop: str) -> str:
        """The explicit name property if it resolves to something, else `<stack>-<LogicalId>`."""
        name = self.resolve(self.props(logical_id).get(prop))
        return name if isinstance(name, str) and name else self.default_name(logical_id)

    def _default_physical(self) -> None:
        arn = f"arn:aws:{{}}:{self.region}:{self.account_id}:{{}}"
        for lid in self.of_type(TABLE):
            name = self.physical_name(lid, "TableName")
            table_arn = arn.format("dynamodb", f"table/{name}")
            self.physical[lid] = {"Ref": name, "Arn": table_arn, "StreamArn": f"{table_arn}/stream/local"}
        for lid in self.of_type(QUEUE):
            name = self.physical_name(lid, "QueueName")
            if self.resolve(self.props(lid).get("FifoQueue")) in (True, "true") and not name.endswith(".fifo"):
                name += ".fifo"
            url = f"http://localhost/{self.account_id}/{name}"
            self.physical[lid] = {"Ref": url, "Arn": arn.format("sqs", name), "QueueName": name, "QueueUrl": url}
        for lid in self.of_type(TOPIC):
            name = self.physical_name(lid, "TopicName")
            self.physical[lid] = {
                "Ref": arn.format("sns", name),
                "TopicArn": arn.format("sns", name),
                "TopicName": name,
            }
        for lid in self.of_type(FUNCTION):
            name = self.physical_name(lid, "FunctionName")
            self.physical[lid] = {"Ref": name, "Arn": arn.format("lambda", f"function:{name}")}
        for lid in self.of_type(SECRET):
            self.physical[lid] = {"Ref": "", "Id": ""}  # no ARN until aws.py creates it: STAGE=local dev keys
        for lid, res in self.resources.items():
            if lid not in self.physical and isinstance(res, dict):
                self.physical[lid] = {"Ref": lid}

    def pseudo(self, name: str) -> Any:
        return {
            "AWS::Region": self.region,
            "AWS::AccountId": self.account_id,
            "AWS::StackName": self.stack_name,
            "AWS::StackId": f"arn:aws:cloudformation:{self.region}:{self.account_id}:stack/{self.stack_name}/local",
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
            "AWS::NotificationARNs": [],
            "AWS::NoValue": NO_VALUE,
        }.get(name, "")

    # --------------------------------------------------------------------------------- resolving
    def ref(self, name: str) -> Any:
        if name.startswith("AWS::"):
            return self.pseudo(name)
        if name in self.parameters:
            return self.parameters[name]
        return self.physical.get(name, {}).get("Ref", "")

    def get_att(self, logical_id: str, attr: str) -> str:
        return self.physical.get(logical_id, {}).get(attr, "")

    def resolve(self, value: Any) -> Any:  # noqa: C901, PLR0911, PLR0912 - one dispatch over the intrinsics
        """Evaluate intrinsics recursively; unknown or failing ones resolve to ""."""
        if isinstance(value, list):
            return [v for v in (self.resolve(v) for v in value) if v is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, arg),) = value.items()
            try:
                if key == "Ref":
                    return self.ref(str(arg))
                if key == "Condition":
                    return self.condition(str(arg))
                if key.startswith("Fn::"):
                    return self._intrinsic(key[4:], arg)
            except Exception as exc:  # noqa: BLE001 - never crash on a template oddity
                log.warning("cannot resolve %s: %s", json.dumps(value, default=str)[:200], exc)
                return ""
        return {k: r for k, r in ((k, self.resolve(v)) for k, v in value.items()) if r is not NO_VALUE}

    def _intrinsic(self, fn: str, arg: Any) -> Any:  # noqa: C901, PLR0911, PLR0912
        if fn == "GetAtt":
            lid, attr = arg.split(".", 1) if isinstance(arg, str) else self.resolve(arg)
            return self.get_att(lid, attr)
        if fn == "Sub":
            return self._sub(arg)
        if fn == "If":
            cond, yes, no = arg
            return self.resolve(yes if self.condition(cond) else no)
        if fn == "Equals":
            a, b = self.resolve(arg)
            return str(a) == str(b)
        if fn == "Not":
            return not self.resolve(arg[0] if isinstance(arg, list) else arg)
        if fn == "And":
            return all(self.resolve(arg))
        if fn == "Or":
            return any(self.resolve(arg))
        if fn == "Join":
            delim, items = arg
            items = self.resolve(items)
            return str(delim).join(str(i) for i in items) if isinstance(items, list) else str(items)
        if fn == "Select":
            idx, items = self.resolve(arg)
            if isinstance(items, str):
                items = items.split(",")
            return items[int(idx)]
        if fn == "Split":
            delim, text = self.resolve(arg)
            return str(text).split(delim)
        if fn == "FindInMap":
            name, k1, k2 = self.resolve(arg)[:3]
            return (self.doc.get("Mappings") or {})[name][k1][k2]
        if fn == "Base64":
            import base64

            return base64.b64encode(str(self.resolve(arg)).encode()).decode()
        if fn == "GetAZs":
            return [f"{self.region}{z}" for z in "abc"]
        if fn == "ToJsonString":
            return json.dumps(self.resolve(arg), separators=(",", ":"))
        return ""  # ImportValue, Cidr, Transform, ...: nothing local to resolve to

    def _sub(self, arg: Any) -> str:
        if isinstance(arg, list):
            text, variables = arg[0], self.resolve(arg[1] if len(arg) > 1 else {})
        else:
            text, variables = arg, {}

        def replace(m: re.Match[str]) -> str:
            expr = m.group(1)
            if expr.startswith("!"):
                return "${" + expr[1:] + "}"
            if expr in variables:
                return str(variables[expr])
            if "." in expr and not expr.startswith("AWS::"):
                lid, attr = expr.split(".", 1)
                return str(self.get_att(lid, attr))
            val = self.ref(expr)
            return "" if val is NO_VALUE else str(val)

        return re.sub(r"\$\{([^}]*)\}", replace, str(text))

    # ------------------------------------------------------------------------------------ functions
    def globals_function(self) -> dict[str, Any]:
        return ((self.doc.get("Globals") or {}).get("Function") or {}) if isinstance(self.doc, dict) else {}

    def functions(self) -> dict[str, FunctionSpec]:
        specs: dict[str, FunctionSpec] = {}
        glob = self.globals_function()
        genv = ((glob.get("Environment") or {}).get("Variables")) or {}
        for lid in self.of_type(FUNCTION):
            props = {**{k: v for k, v in glob.items() if k != "Environment"}, **self.props(lid)}
            own_env = ((self.props(lid).get("Environment") or {}).get("Variables")) or {}
            env = {k: _env_str(v) for k, v in self.resolve({**copy.deepcopy(genv), **own_env}).items()}
            code_uri = self.resolve(props.get("CodeUri")) or "."
            spec = FunctionSpec(
                logical_id=lid,
                code_dir=(self.root / str(code_uri)).resolve(),
                handler=str(self.resolve(props.get("Handler")) or "app.lambda_handler"),
                timeout=int(self.resolve(props.get("Timeout")) or 3),
                memory=int(self.resolve(props.get("MemorySize")) or 128),
                environment=env,
            )
            for name, event in (props.get("Events") or {}).items():
                self._add_event(spec, str(name), event or {})
            specs[lid] = spec
        folders = [s.code_dir.name for s in specs.values()]
        for lid, spec in specs.items():
            slug = spec.code_dir.name if folders.count(spec.code_dir.name) == 1 else f"{spec.code_dir.name}_{lid}"
            spec.module_name = "passaparola_fn_" + re.sub(r"\W", "_", slug).lower()
        return specs

    def _add_event(self, spec: FunctionSpec, name: str, event: dict[str, Any]) -> None:
        etype = event.get("Type")
        p = self.resolve(event.get("Properties") or {})
        raw = event.get("Properties") or {}
        if etype == "Api":
            path = str(p.get("Path") or "/")
            spec.api_events.append(ApiEvent(spec.logical_id, path, str(p.get("Method") or "ANY").upper()))
        elif etype in ("Schedule", "ScheduleV2"):
            expr = p.get("Schedule") if etype == "Schedule" else p.get("ScheduleExpression")
            enabled = p.get("Enabled", True) not in (False, "false") and p.get("State", "ENABLED") != "DISABLED"
            payload = p.get("Input")
            if isinstance(payload, str):
                try:
                    payload = json.loads(payload)
                except ValueError:
                    log.warning("%s.%s: Input is not JSON, ignored", spec.logical_id, name)
                    payload = None
            spec.schedules.append(ScheduleEvent(spec.logical_id, name, str(expr or ""), enabled, payload))
        elif etype == "SQS":
            queue_id = _logical_id_of(raw.get("Queue"))
            if not queue_id:
                log.warning("%s.%s: SQS Queue must be !GetAtt <Queue>.Arn (or !Ref); skipped", spec.logical_id, name)
                return
            spec.sqs_events.append(
                SqsEvent(
                    spec.logical_id,
                    name,
                    queue_id,
                    batch_size=int(p.get("BatchSize") or 10),
                    report_failures="ReportBatchItemFailures" in (p.get("FunctionResponseTypes") or []),
                    enabled=p.get("Enabled", True) not in (False, "false"),
                )
            )
        elif etype == "DynamoDB":
            self._add_stream_event(spec, name, p, raw)
        else:
            log.info("%s.%s: event type %s is not emulated locally", spec.logical_id, name, etype)

    def _add_stream_event(self, spec: FunctionSpec, name: str, p: dict[str, Any], raw: dict[str, Any]) -> None:
        table_id = _logical_id_of(raw.get("Stream"))
        if not table_id:
            log.warning("%s.%s: Stream must be !GetAtt <Table>.StreamArn; skipped", spec.logical_id, name)
            return
        filters: list[dict[str, Any]] = []
        for item in (p.get("FilterCriteria") or {}).get("Filters") or []:
            pattern = item.get("Pattern") if isinstance(item, dict) else None
            try:
                filters.append(json.loads(pattern) if isinstance(pattern, str) else dict(pattern or {}))
            except ValueError:
                log.warning("%s.%s: a filter pattern is not JSON, ignored", spec.logical_id, name)
        on_failure = ((p.get("DestinationConfig") or {}).get("OnFailure") or {}) if isinstance(p, dict) else {}
        raw_failure = ((raw.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
        spec.stream_events.append(
            StreamEvent(
                spec.logical_id,
                name,
                table_id,
                batch_size=int(p.get("BatchSize") or 100),
                starting_position=str(p.get("StartingPosition") or "LATEST"),
                filters=filters,
                report_failures="ReportBatchItemFailures" in (p.get("FunctionResponseTypes") or []),
                max_retries=int(p.get("MaximumRetryAttempts", -1)),
                on_failure_id=_logical_id_of(raw_failure) if on_failure else "",
                enabled=p.get("Enabled", True) not in (False, "false"),
            )
        )

    def binary_media_types(self) -> list[str]:
        """BinaryMediaTypes of Globals.Api and every AWS::Serverless::Api (all APIs are served as one)."""
        found = list(((self.doc.get("Globals") or {}).get("Api") or {}).get("BinaryMediaTypes") or [])
        for lid in self.of_type("AWS::Serverless::Api"):
            found += self.props(lid).get("BinaryMediaTypes") or []
        return [str(v) for v in self.resolve(found) if v]

    def minimum_compression_size(self) -> int | None:
        """MinimumCompressionSize of Globals.Api or an AWS::Serverless::Api (bytes); None: API Gateway never compresses."""
        sources = [((self.doc.get("Globals") or {}).get("Api") or {}).get("MinimumCompressionSize")]
        sources += [self.props(lid).get("MinimumCompressionSize") for lid in self.of_type("AWS::Serverless::Api")]
        found = [int(self.resolve(v)) for v in sources if v is not None]
        return min(found) if found else None

    def cors(self) -> dict[str, str]:
        """CORS settings from Globals.Api.Cors or an AWS::Serverless::Api resource, SAM-style quoted strings."""
        sources = [((self.doc.get("Globals") or {}).get("Api") or {}).get("Cors")]
        sources += [self.props(lid).get("Cors") for lid in self.of_type("AWS::Serverless::Api")]
        out: dict[str, str] = {}
        for src in sources:
            src = self.resolve(src)
            if isinstance(src, str):
                src = {"AllowOrigin": src}
            if isinstance(src, dict):
                for key in ("AllowOrigin", "AllowMethods", "AllowHeaders", "MaxAge", "AllowCredentials"):
                    if src.get(key) not in (None, ""):
                        out[key] = str(src[key]).strip("'")
        return out


def _env_str(value: Any) -> str:
    if value is None or value is NO_VALUE:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return str(value)


def _logical_id_of(value: Any) -> str:
    """The logical id referenced by !GetAtt X.Arn / !Ref X (unresolved form)."""
    if isinstance(value, dict) and len(value) == 1:
        ((key, arg),) = value.items()
        if key == "Fn::GetAtt":
            return str(arg[0] if isinstance(arg, list) else str(arg).split(".", 1)[0])
        if key == "Ref":
            return str(arg)
    return ""


def merged_environment(functions: dict[str, FunctionSpec]) -> tuple[dict[str, str], list[str]]:
    """One process-wide environment for all functions, plus a description of every disagreement."""
    env: dict[str, str] = {}
    owner: dict[str, str] = {}
    conflicts: list[str] = []
    for lid, spec in sorted(functions.items()):
        for key, val in spec.environment.items():
            if key in env and env[key] != val:
                conflicts.append(f"{key}: {owner[key]}={env[key]!r} but {lid}={val!r}")
                continue
            env.setdefault(key, val)
            owner.setdefault(key, lid)
    return env, conflicts
