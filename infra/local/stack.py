"""The whole product running locally in one process: moto, the template's resources, the functions
behind a local API gateway, SQS and DynamoDB stream pollers, the scheduler and the push recorder. Used by
`python -m infra.local`, the job CLI and the tests.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra.local import aws, build, console_users, event_bus, iam_record
from infra.local.faults import faults_http
from infra.local.functions import FunctionPool, add_layers
from infra.local.gateway import (
    CORS_HEADERS,
    GatewayServer,
    HttpResponse,
    Router,
    accepts_binary,
    build_event,
    check_bearer,
    clock_http,
    compress,
    error_response,
    json_response,
    map_response,
)
from infra.local.mailbox import mailbox_http
from infra.local.push_recorder import push_http
from infra.local.queues import Poller, QueuePoller
from infra.local.scheduler import Scheduler, scheduled_event
from infra.local.streams import StreamPoller, queue_sender
from infra.local.template import FunctionSpec, Template, merged_environment

log = logging.getLogger("infra.local")

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SECRET_KEY = "sk_local_dev"  # noqa: S105 - a published development key, local only
DEFAULT_PUBLISHABLE_KEY = "pk_local_dev"

KeyStore = Callable[[str, str, str], Any]


def default_key_store(raw_key: str, kind: str, name: str) -> Any:
    from passaparola.api.keys import store_key

    return store_key(raw_key, kind, name)  # type: ignore[arg-type]


def env_flag(name: str, default: bool) -> bool:
    val = os.environ.get(name)
    return default if val is None or val == "" else val.lower() not in ("0", "false", "no", "off")


@dataclass
class StackConfig:
    template: Path = REPO_ROOT / "template.yaml"
    host: str = "127.0.0.1"
    port: int = 3000
    secret_key: str = DEFAULT_SECRET_KEY
    publishable_key: str = DEFAULT_PUBLISHABLE_KEY
    schedules: bool = True
    pollers: bool = True
    dynamodb_endpoint: str | None = None  # None: moto; a URL; or "aws"
    create_tables: bool | None = None  # None: yes, except for real AWS
    layer_paths: list[Path] | None = None
    build_dir: Path | None = None  # serve `sam build`'s output (infra/local/build.py) instead of the source tree
    key_store: KeyStore | None = field(default=default_key_store)

    @classmethod
    def from_env(cls) -> StackConfig:
        env = os.environ
        create = env.get("LOCAL_CREATE_TABLES")
        return cls(
            template=Path(env.get("LOCAL_TEMPLATE") or REPO_ROOT / "template.yaml"),
            port=int(env.get("PORT") or 3000),
            secret_key=env.get("PASSAPAROLA_SECRET_KEY") or DEFAULT_SECRET_KEY,
            publishable_key=env.get("PASSAPAROLA_PUBLISHABLE_KEY") or DEFAULT_PUBLISHABLE_KEY,
            schedules=env_flag("LOCAL_SCHEDULES", True),
            pollers=env_flag("LOCAL_SQS", True),
            dynamodb_endpoint=env.get("DYNAMODB_ENDPOINT_URL") or None,
            create_tables=None if create in (None, "") else env_flag("LOCAL_CREATE_TABLES", False),
            build_dir=Path(env["LOCAL_BUILD_DIR"]) if env.get("LOCAL_BUILD_DIR") else None,
        )


class Stack:
    def __init__(self, config: StackConfig) -> None:
        self.config = config
        self.template: Template | None = None
        self.functions: dict[str, FunctionSpec] = {}
        self.pools: dict[str, FunctionPool] = {}
        self.router = Router([])
        self.endpoints: aws.Endpoints | None = None
        self.env_conflicts: list[str] = []
        self.ready = threading.Event()
        self.error: str | None = None
        self._moto: aws.MotoServer | None = None
        self._server: GatewayServer | None = None
        self._server_thread: threading.Thread | None = None
        self._pollers: list[Poller] = []
        self._stream_pollers: list[StreamPoller] = []
        self._scheduler: Scheduler | None = None
        self._openapi: dict[str, Any] | None = None
        self._openapi_lock = threading.Lock()
        self._binary_types: list[str] = []
        self._preflights_as_text = False
        self._min_compression: int | None = None
        self.route_problems: list[str] = []
        self.console_pool: console_users.ConsolePool | None = None
        self.bundle: build.Bundle | None = None

    # ------------------------------------------------------------------------------------ life cycle
    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self, serve_http: bool = True) -> Stack:
        """Bring everything up; /health answers 503 until the very end, then 200."""
        if serve_http:
            self._server = GatewayServer((self.config.host, self.config.port), self)
            self._server_thread = threading.Thread(target=self._server.serve_forever, name="gateway", daemon=True)
            self._server_thread.start()
        try:
            self._boot()
        except Exception as exc:
            self.error = f"{type(exc).__name__}: {exc}"
            raise
        self.ready.set()
        return self

    def _boot(self) -> None:
        cfg = self.config
        iam_record.install()  # PASSAPAROLA_IAM_RECORD (`make test`): the functions' AWS calls, for `make iam-check`
        if cfg.build_dir is not None:
            self.bundle = build.load(cfg.build_dir)  # before anything starts: a wrong directory fails fast
        self._moto = aws.MotoServer()
        moto_url = self._moto.start()
        endpoints = aws.configure_environment(moto_url, cfg.dynamodb_endpoint)
        self.endpoints = endpoints
        tpl = Template(self.bundle.template if self.bundle else cfg.template, region=os.environ["AWS_REGION"])
        self.template = tpl
        create_tables = cfg.create_tables if cfg.create_tables is not None else endpoints.dynamodb_url is not None
        aws.create_all(tpl, endpoints, create_tables)

        self.functions = tpl.functions()  # environments resolve against the real resource names now
        env, self.env_conflicts = merged_environment(self.functions)
        for conflict in self.env_conflicts:
            log.warning("functions disagree on an environment variable (template bug): %s", conflict)
        os.environ.update(env)
        aws.configure_environment(moto_url, cfg.dynamodb_endpoint)  # the stack's endpoints win over the template
        if self._server is not None:
            os.environ["MESSAGE_LINK_URL"] = self.url  # links in messages lead to this stack, not API Gateway
            # wallet pushes go to the recorder (infra/local/push_recorder.py), never to Apple or Google
            os.environ["APNS_URL"] = f"{self.url}/local/push/apns"
            os.environ["GOOGLE_WALLET_API_URL"] = f"{self.url}/local/push/google"
            os.environ["GOOGLE_OAUTH_URL"] = f"{self.url}/local/push/oauth/token"
        aws.verify_ses_identities(tpl, moto_url, env)
        if env.get("EVENT_BUS_NAME"):  # an AWS-native consumer: a rule on the bus → a queue (/local/events)
            event_bus.subscribe(aws.client("events", moto_url), aws.client("sqs", moto_url), env["EVENT_BUS_NAME"])
        self.console_pool = console_users.setup(tpl, moto_url)

        if self.bundle is not None:
            build.isolate_sys_path(self.bundle)
        else:
            add_layers(cfg.layer_paths)
        _reset_cached_settings()
        self.pools = {lid: FunctionPool(spec) for lid, spec in self.functions.items()}
        if self.bundle is not None:
            log.info("serving the built bundle %s (layers %s)", self.bundle.root, self.bundle.layer_dirs)
            log.info(
                "the stack's own copies of these layer modules were imported first: %s", build.shadowed(self.bundle)
            )
        self.router = Router([e for spec in self.functions.values() for e in spec.api_events])
        self._binary_types = tpl.binary_media_types()
        self._preflights_as_text = bool(list(tpl.of_type("Custom::ApiPreflightsAsText")))
        self._min_compression = tpl.minimum_compression_size()

        if cfg.key_store is not None:
            cfg.key_store(cfg.secret_key, "secret", "local development secret key")
            cfg.key_store(cfg.publishable_key, "publishable", "local development publishable key")

        self.route_problems = self.route_mismatches() if any(f.api_events for f in self.functions.values()) else []
        for problem in self.route_problems:
            log.warning("route mismatch: %s", problem)

        if cfg.pollers:
            sqs = aws.client("sqs", moto_url)
            for spec in self.functions.values():
                for ev in spec.sqs_events:
                    phys = tpl.physical.get(ev.queue_id, {})
                    if not ev.enabled or "QueueUrl" not in phys:
                        log.warning("%s: queue %s not found; not polled", spec.logical_id, ev.queue_id)
                        continue
                    poller = QueuePoller(ev, phys["QueueUrl"], phys["Arn"], sqs, self.invoke)
                    poller.start()
                    self._pollers.append(poller)
            self._start_stream_pollers(tpl, endpoints, sqs)
            if env.get("EVENT_BUS_NAME"):
                rule = event_bus.RulePoller()
                rule.start()
                self._pollers.append(rule)
        if cfg.schedules:
            self._scheduler = Scheduler([s for f in self.functions.values() for s in f.schedules], self.invoke)
            self._scheduler.start()

    def _start_stream_pollers(self, tpl: Template, endpoints: aws.Endpoints, sqs: Any) -> None:
        """DynamoDB stream event sources, polled as Lambda does (not against real AWS DynamoDB: its streams would
        be shared with the deployed functions)."""
        if endpoints.dynamodb_url is None:
            return
        streams = aws.client("dynamodbstreams", endpoints.dynamodb_url)
        for spec in self.functions.values():
            for ev in spec.stream_events:
                stream_arn = tpl.physical.get(ev.table_id, {}).get("StreamArn", "")
                if not ev.enabled or not stream_arn or stream_arn.endswith("/stream/local"):
                    log.warning("%s: table %s has no stream; not polled", spec.logical_id, ev.table_id)
                    continue
                failed = tpl.physical.get(ev.on_failure_id, {}).get("QueueUrl")
                poller = StreamPoller(
                    ev, stream_arn, streams, self.invoke, queue_sender(sqs, failed) if failed else None
                )
                poller.start()
                self._stream_pollers.append(poller)

    def stop(self) -> None:
        pollers: list[Poller] = [*self._pollers, *self._stream_pollers]
        for p in pollers:
            p.stop()
        if self._scheduler:
            self._scheduler.stop()
        if self._server:
            self._server.shutdown()
            self._server.server_close()
        for p in pollers:
            p.join()
        if self._moto:
            self._moto.stop()

    # ------------------------------------------------------------------------------------ invoking
    def invoke(self, function_id: str, event: Any) -> Any:
        return self.pools[function_id].invoke(event)

    def jobs(self) -> dict[str, FunctionSpec]:
        """Functions that run on a schedule, or only when invoked (re-drive): runnable on demand."""
        return {
            lid: spec
            for lid, spec in self.functions.items()
            if spec.schedules or not (spec.api_events or spec.sqs_events or spec.stream_events)
        }

    def run_job(self, logical_id: str, event: Any = None) -> Any:
        spec = self.jobs()[logical_id]
        if event is None:
            event = scheduled_event(spec.schedules[0]) if spec.schedules else {}
        return self.invoke(logical_id, event)

    def route_mismatches(self) -> list[str]:
        """Routes a function's resolver serves that template.yaml does not declare, and vice versa.

        API Gateway only forwards declared routes, so either side alone is a bug (404 when deployed).
        """
        import re

        def norm(path: str) -> str:
            return re.sub(r"\{[^}]*\}", "{}", path.rstrip("/") or "/")

        problems: list[str] = []
        try:
            doc = self.openapi()
        except Exception as exc:
            return [f"cannot build the OpenAPI document: {exc}"]
        served = {(m.upper(), norm(p)) for p, item in doc.get("paths", {}).items() for m in item}
        declared = {(e.method, norm(e.path)) for spec in self.functions.values() for e in spec.api_events}
        for method, path in sorted(served):
            if (method, path) not in declared and ("ANY", path) not in declared:
                problems.append(f"{method} {path} is served by a function but not declared in template.yaml")
        for method, path in sorted(declared):
            if method != "ANY" and (method, path) not in served:
                problems.append(f"{method} {path} is declared in template.yaml but no resolver serves it")
        return problems

    def openapi(self) -> dict[str, Any]:
        with self._openapi_lock:
            if self._openapi is None:
                from infra.tools.openapi import build_document

                api = {lid: pool.first for lid, pool in self.pools.items() if self.functions[lid].api_events}
                self._openapi = build_document(api)
            return self._openapi

    # ----------------------------------------------------------------------------------- HTTP
    def handle_http(
        self, *, method: str, raw_path: str, headers: list[tuple[str, str]], body: bytes, source_ip: str
    ) -> HttpResponse:
        path = raw_path.split("?", 1)[0]
        if path == "/health":
            return self._health()
        if not self.ready.is_set():
            return error_response(503, "starting", "The local stack is starting.", {"error": self.error})
        if path == "/openapi.json" and method in ("GET", "HEAD"):
            return json_response(200, self.openapi())
        if path in ("/docs", "/docs/") and method in ("GET", "HEAD"):
            from infra.local.docs_page import render

            return HttpResponse(
                200,
                [("Content-Type", "text/html; charset=utf-8")],
                render(self.config.secret_key, self.config.publishable_key).encode(),
            )
        if path in ("/passaparola.js", "/demo", "/shop") and method in ("GET", "HEAD"):
            return self._storefront(path, raw_path, headers)
        if path.startswith("/local/jobs/"):
            return self._job_http(method, path[len("/local/jobs/") :], headers, body)
        if path in ("/local/clock", "/local/clock/"):
            return clock_http(method, headers, body, self.config.secret_key)
        if path in ("/local/ses/feedback", "/local/ses/feedback/"):
            return self._ses_feedback_http(method, headers, body)
        if path in ("/local/faults", "/local/faults/"):
            return faults_http(method, headers, body, self.config.secret_key)
        if path in ("/local/admin/token", "/local/admin/token/"):
            return console_users.token_http(method, headers, body, self.config.secret_key, self.console_pool)
        if path == "/local/push" or path.startswith("/local/push/"):
            query = raw_path.split("?", 1)[1] if "?" in raw_path else ""
            return push_http(method, path, headers, body, query, self.config.secret_key)
        if path == "/local/wallet/ca.pem" and method in ("GET", "HEAD"):
            return _wallet_ca()
        if path in ("/local/events", "/local/events/"):
            query = raw_path.split("?", 1)[1] if "?" in raw_path else ""
            return event_bus.events_http(method, headers, query, self.config.secret_key)
        if path in ("/local/mailbox", "/local/mailbox/"):
            query = raw_path.split("?", 1)[1] if "?" in raw_path else ""
            return mailbox_http(method, headers, body, query, self.config.secret_key)

        if method == "OPTIONS":
            route, _, allowed = self.router.resolve("OPTIONS", path)
            if route is None or route.event.method == "ANY":
                return self._preflight(path, headers)
        route, params, allowed = self.router.resolve(method, path)
        if route is None:
            if allowed:
                return HttpResponse(
                    405,
                    [("Content-Type", "application/json"), ("Allow", ", ".join(allowed))],
                    json.dumps(
                        {
                            "error": {
                                "code": "method_not_allowed",
                                "message": f"{method} is not allowed here.",
                                "details": {"allowed": allowed},
                            }
                        }
                    ).encode(),
                )
            return error_response(404, "not_found", f"No route for {method} {path}.")
        event = build_event(
            method=method,
            raw_path=raw_path,
            headers=headers,
            body=body,
            route=route,
            path_params=params,
            source_ip=source_ip,
            stage=self.template.parameters.get("Stage", "local") if self.template else "local",
            binary_media_types=self._binary_types,
        )
        started = time.perf_counter()
        try:
            result = self.invoke(route.event.function_id, event)
        except Exception as exc:
            log.exception("%s raised", route.event.function_id)
            return error_response(502, "internal_error", f"The function raised {type(exc).__name__}: {exc}")
        took = time.perf_counter() - started
        accept = ", ".join(v for k, v in headers if k.lower() == "accept-encoding")
        wants = next((v for k, v in headers if k.lower() == "accept"), None)
        resp = map_response(result, wants, self._binary_types)
        resp.headers.append(("Server-Timing", f"function;dur={took * 1000:.2f}"))  # the rest is the gateway's
        return compress(resp, accept, self._min_compression)

    def _storefront(self, path: str, raw_path: str, headers: list[tuple[str, str]]) -> HttpResponse:
        """The storefront script, its demo page and the sample shop (infra/storefront/; deployed to S3/CloudFront,
        not by SAM). The pages' tag gets this origin as data-api and the stack's publishable key as data-key;
        /shop?customer=<id> also gets a customer token for that id, minted here as the shop's backend would."""
        import html
        import re
        from urllib.parse import parse_qs

        names = {"/passaparola.js": "passaparola.js", "/demo": "demo.html", "/shop": "shop.html"}
        body = (REPO_ROOT / "infra" / "storefront" / names[path]).read_bytes()
        js = path == "/passaparola.js"
        if not js:
            host = next((v for k, v in headers if k.lower() == "host"), "")
            origin = f"http://{host}" if re.fullmatch(r"[A-Za-z0-9.:\[\]-]+", host) else self.url
            body = body.replace(b'data-api="http://localhost:3000"', f'data-api="{origin}"'.encode())
            key = html.escape(self.config.publishable_key)
            body = body.replace(b'data-key="pk_local_dev"', f'data-key="{key}"'.encode())
        if path == "/shop":
            query = parse_qs(raw_path.split("?", 1)[1] if "?" in raw_path else "")
            customer = (query.get("customer") or [""])[0]
            token = self._shop_token(customer) if re.fullmatch(r"[A-Za-z0-9_.:@+-]{1,128}", customer) else ""
            body = body.replace(b'data-customer-token=""', f'data-customer-token="{html.escape(token)}"'.encode())
        content_type = "application/javascript" if js else "text/html"
        return HttpResponse(
            200, [("Content-Type", f"{content_type}; charset=utf-8"), ("Cache-Control", "no-cache")], body
        )

    def _shop_token(self, customer_id: str) -> str:
        """A customer token for the sample shop's signed-in shopper: the stack's own call with the secret key."""
        resp = self.handle_http(
            method="POST",
            raw_path=f"/v1/customers/{customer_id}/token",
            headers=[("Authorization", f"Bearer {self.config.secret_key}"), ("Content-Type", "application/json")],
            body=b"{}",
            source_ip="127.0.0.1",
        )
        if resp.status != 201:
            log.warning("/shop: no token for %s (%s %s)", customer_id, resp.status, resp.body[:200])
            return ""
        return str(json.loads(resp.body)["token"])

    def _health(self) -> HttpResponse:
        if not self.ready.is_set():
            return json_response(503, {"status": "error" if self.error else "starting", "error": self.error})
        return json_response(
            200,
            {
                "status": "ok",
                "dynamodb": self.endpoints.dynamodb_label if self.endpoints else None,
                "functions": sorted(self.functions),
                "routes": len(self.router.routes),
                "env_conflicts": self.env_conflicts,
                "route_mismatches": self.route_problems,
                "console_user_pool": vars(self.console_pool) if self.console_pool else None,
                "bundle": self.bundle.describe() if self.bundle else None,
            },
        )

    def _allowed_origins(self) -> list[str]:
        raw = os.environ.get("ALLOWED_ORIGINS") or (
            self.template.parameters.get("AllowedOrigins") if self.template else ""
        )
        return [o.strip() for o in (raw or "*").split(",") if o.strip()] or ["*"]

    def _preflight(self, path: str, headers: list[tuple[str, str]]) -> HttpResponse:
        found = self.router.candidates(path)
        if not found:
            return error_response(404, "not_found", f"No route for OPTIONS {path}.")
        accept = next((v for k, v in headers if k.lower() == "accept"), "*/*")
        if accepts_binary(accept, self._binary_types) and not self._preflights_as_text:
            # what SAM's mock does deployed when BinaryMediaTypes match the preflight (template.yaml, ApiPreflightsAsText)
            return error_response(500, "internal_error", "Unable to transform request (CORS mock under binary types).")
        cors = self.template.cors() if self.template else {}
        methods = sorted({r.event.method for r, _ in found} | {"OPTIONS"})
        if "ANY" in methods:
            methods = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]
        origin = next((v for k, v in headers if k.lower() == "origin"), "")
        origins = self._allowed_origins()
        out = [
            ("Access-Control-Allow-Methods", cors.get("AllowMethods") or ",".join(methods)),
            ("Access-Control-Allow-Headers", cors.get("AllowHeaders") or CORS_HEADERS),
            ("Access-Control-Max-Age", cors.get("MaxAge") or "600"),
        ]
        if "*" in origins:
            out.append(("Access-Control-Allow-Origin", "*"))
        elif origin in origins:
            out += [("Access-Control-Allow-Origin", origin), ("Vary", "Origin")]
        if cors.get("AllowCredentials") == "true":
            out.append(("Access-Control-Allow-Credentials", "true"))
        return HttpResponse(204, out, b"")

    def _job_http(self, method: str, job: str, headers: list[tuple[str, str]], body: bytes) -> HttpResponse:
        denied = check_bearer(headers, self.config.secret_key)
        if denied:
            return denied
        if job not in self.jobs():
            return error_response(404, "not_found", f"No scheduled function {job!r}.", {"jobs": sorted(self.jobs())})
        if method != "POST":
            return error_response(405, "method_not_allowed", "Use POST.")
        event = None
        if body.strip():
            try:
                event = json.loads(body)
            except ValueError:
                return error_response(400, "invalid_request", "The body, if any, must be the JSON event to send.")
        try:
            result = self.run_job(job, event)
        except Exception as exc:
            log.exception("job %s failed", job)
            return error_response(500, "job_failed", f"{type(exc).__name__}: {exc}")
        return json_response(200, result)

    def _ses_feedback_http(self, method: str, headers: list[tuple[str, str]], body: bytes) -> HttpResponse:
        from datetime import UTC, datetime

        from infra.local import ses_feedback

        denied = check_bearer(headers, self.config.secret_key)
        if denied:
            return denied
        if method != "POST":
            return error_response(405, "method_not_allowed", "Use POST.")
        now = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        try:
            message = ses_feedback.notification(json.loads(body or b"{}"), now)
        except (ValueError, AttributeError) as exc:
            return error_response(400, "invalid_request", f"Not an SES notification: {exc}")
        topic = self.template.physical.get("SesFeedbackTopic", {}).get("Ref", "") if self.template else ""
        try:
            result = self.invoke(ses_feedback.FUNCTION, ses_feedback.sns_event(message, topic, now))
        except Exception as exc:
            log.exception("SES feedback failed")
            return error_response(500, "job_failed", f"{type(exc).__name__}: {exc}")
        return json_response(200, result)


def _wallet_ca() -> HttpResponse:
    """The root of the wallet pass chain generated for this stack (no WalletPassSecretArn, STAGE=local), to check a
    pass: `openssl smime -verify -binary -inform DER -in signature -content manifest.json -CAfile ca.pem`."""
    from passaparola.passes import config

    ca = config.wallet().ca_pem
    if not ca:
        return error_response(404, "not_found", "Passes use a configured certificate here, not a generated one.")
    return HttpResponse(200, [("Content-Type", "application/x-pem-file"), ("Cache-Control", "no-store")], ca.encode())


def _reset_cached_settings() -> None:
    """passaparola.settings caches the environment; drop a copy read before the stack configured it."""
    import sys

    mod = sys.modules.get("passaparola.settings")
    getter = getattr(mod, "get_settings", None)
    if getter is not None and hasattr(getter, "cache_clear"):
        getter.cache_clear()
