"""The AWS side of the local stack: an in-process moto server and the resources declared in template.yaml.

DynamoDB can instead live at any endpoint the user names in DYNAMODB_ENDPOINT_URL (DynamoDB Local, or
`aws` for the real service); moto keeps serving SQS, SNS, SES and EventBridge either way.
"""

from __future__ import annotations

import json
import logging
import os
import re
import socket
import threading
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.exceptions import ClientError

from infra.local import faults
from infra.local.template import QUEUE, SECRET, TABLE, TOPIC, USER_POOL, USER_POOL_CLIENT, USER_POOL_GROUP, Template

log = logging.getLogger("infra.local")

# boto3 reads AWS_ENDPOINT_URL_<SERVICE>: used to send non-DynamoDB services to moto when DynamoDB is elsewhere
MOTO_SERVICES = (
    "SQS",
    "SNS",
    "SES",
    "SESV2",
    "EVENTBRIDGE",
    "SCHEDULER",
    "STS",
    "CLOUDWATCH",
    "XRAY",
    "LAMBDA",
    "SECRETS_MANAGER",
    "COGNITO_IDENTITY_PROVIDER",  # cognito-idp (boto3 names the variable after the service id)
)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Endpoints:
    moto_url: str
    dynamodb_url: str | None  # None: the real AWS DynamoDB
    dynamodb_label: str  # for the banner

    @property
    def in_memory(self) -> bool:
        return self.dynamodb_url == self.moto_url


class MotoServer:
    """moto's ThreadedMotoServer on a free loopback port, fit for the local stack's concurrency.

    moto's backends are not thread-safe: concurrent DynamoDB requests can interleave inside a
    TransactWriteItems or a conditional write, which real DynamoDB never allows. DynamoDB requests
    are therefore serialised (other services, e.g. SQS long polls, are not). The listen backlog is
    raised from werkzeug's 128 for bursts of hundreds of clients.
    """

    def __init__(self) -> None:
        from infra.local.moto_fixes import apply

        apply()
        self._server = _moto_server_class()(ip_address="127.0.0.1", port=0, verbose=False)
        self.url = ""

    def start(self) -> str:
        self._server.start()
        host, port = self._server.get_host_and_port()
        inner = getattr(self._server, "_server", None)
        if inner is not None:
            inner.socket.listen(1024)
        self.url = f"http://{host}:{port}"
        return self.url

    def stop(self) -> None:
        try:
            self._server.stop()
        except Exception:
            log.debug("moto stop failed", exc_info=True)


def _serialise_dynamodb(app: Any) -> Any:
    lock = threading.Lock()

    def wrapped(environ: dict[str, Any], start_response: Any) -> Any:
        if not environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB_"):
            return app(environ, start_response)
        with lock:
            result = app(environ, start_response)
            try:
                return [b"".join(result)]  # the whole response is produced under the lock
            finally:
                close = getattr(result, "close", None)
                if close:
                    close()

    return wrapped


def _moto_server_class() -> Any:
    from moto.moto_server.threaded_moto_server import ThreadedMotoServer
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
    from werkzeug.serving import make_server

    class Server(ThreadedMotoServer):  # type: ignore[misc]
        def _server_entry(self) -> None:
            app = faults.wrap(_serialise_dynamodb(DomainDispatcherApplication(create_backend_app)))
            self._server = make_server(self._ip_address, self._port, app, True, request_handler=MotoRequestHandler)
            self._server_ready_event.set()
            self._server.serve_forever()

    return Server


def configure_environment(moto_url: str, user_dynamodb: str | None) -> Endpoints:
    """Point boto3 and pynamodb (via DYNAMODB_ENDPOINT_URL, read by passaparola.settings) at the right places."""
    env = os.environ
    region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "us-east-1"
    if user_dynamodb and user_dynamodb.lower() == "aws":
        # real DynamoDB with the user's credentials; everything else still goes to moto
        env.pop("AWS_ENDPOINT_URL", None)
        env.pop("AWS_ENDPOINT_URL_DYNAMODB", None)
        env.pop("DYNAMODB_ENDPOINT_URL", None)
        for svc in MOTO_SERVICES:
            env[f"AWS_ENDPOINT_URL_{svc}"] = moto_url
        env["AWS_REGION"] = env["AWS_DEFAULT_REGION"] = region
        return Endpoints(moto_url, None, f"real AWS DynamoDB ({region})")
    dynamodb_url = user_dynamodb or moto_url
    for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        env.pop(key, None)  # never let a local run reach a real account by accident
    env["AWS_ACCESS_KEY_ID"] = "testing"
    env["AWS_SECRET_ACCESS_KEY"] = "testing"  # noqa: S105 - moto's dummy credentials
    env["AWS_REGION"] = env["AWS_DEFAULT_REGION"] = "us-east-1"
    env["AWS_ENDPOINT_URL"] = moto_url
    env["AWS_ENDPOINT_URL_DYNAMODB"] = dynamodb_url
    env["DYNAMODB_ENDPOINT_URL"] = dynamodb_url
    label = "moto (in memory)" if dynamodb_url == moto_url else f"DynamoDB at {dynamodb_url}"
    return Endpoints(moto_url, dynamodb_url, label)


def client(service: str, endpoint: str | None) -> Any:
    return boto3.client(service, endpoint_url=endpoint, region_name=os.environ.get("AWS_REGION", "us-east-1"))  # type: ignore[call-overload]


# ------------------------------------------------------------------------------------------- tables
def table_request(tpl: Template, logical_id: str) -> dict[str, Any]:
    """CreateTable arguments from an AWS::DynamoDB::Table resource (properties CreateTable understands)."""
    p = tpl.resolve(tpl.props(logical_id))
    req: dict[str, Any] = {
        "TableName": tpl.physical[logical_id]["Ref"],
        "KeySchema": p["KeySchema"],
        "AttributeDefinitions": p["AttributeDefinitions"],
    }
    billing = p.get("BillingMode", "PROVISIONED" if p.get("ProvisionedThroughput") else "PAY_PER_REQUEST")
    req["BillingMode"] = billing
    if billing == "PROVISIONED":
        req["ProvisionedThroughput"] = p.get("ProvisionedThroughput") or {
            "ReadCapacityUnits": 5,
            "WriteCapacityUnits": 5,
        }
    for key in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        if p.get(key):
            indexes = []
            for idx in p[key]:
                idx = {
                    k: v
                    for k, v in idx.items()
                    if k in ("IndexName", "KeySchema", "Projection", "ProvisionedThroughput")
                }
                if billing == "PROVISIONED" and key == "GlobalSecondaryIndexes":
                    idx.setdefault("ProvisionedThroughput", {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5})
                indexes.append(idx)
            req[key] = indexes
    if p.get("StreamSpecification", {}).get("StreamViewType"):
        req["StreamSpecification"] = {
            "StreamEnabled": True,
            "StreamViewType": p["StreamSpecification"]["StreamViewType"],
        }
    return req


def create_tables(tpl: Template, endpoint: str | None) -> list[str]:
    """Create every table that does not exist yet (idempotent: DynamoDB Local may keep data across runs)."""
    ddb = client("dynamodb", endpoint)
    created: list[str] = []
    existing = set(_list_tables(ddb))
    for lid in tpl.of_type(TABLE):
        req = table_request(tpl, lid)
        name = req["TableName"]
        if name not in existing:
            ddb.create_table(**req)
            ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
            created.append(name)
        else:
            _add_missing_indexes(ddb, req)
            _enable_stream(ddb, req)
        if req.get("StreamSpecification"):
            stream_arn = ddb.describe_table(TableName=name)["Table"].get("LatestStreamArn")
            if stream_arn:
                tpl.physical[lid]["StreamArn"] = stream_arn
        ttl = tpl.resolve(tpl.props(lid).get("TimeToLiveSpecification") or {})
        if ttl.get("Enabled") in (True, "true") and ttl.get("AttributeName"):
            try:
                ddb.update_time_to_live(
                    TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl["AttributeName"]}
                )
            except ClientError as exc:  # already enabled on a persistent endpoint
                log.debug("ttl on %s: %s", name, exc)
    return created


def _add_missing_indexes(ddb: Any, req: dict[str, Any]) -> None:
    """A table kept by DynamoDB Local from an older version gets the global indexes the template added since."""
    have = {
        i["IndexName"]
        for i in ddb.describe_table(TableName=req["TableName"])["Table"].get("GlobalSecondaryIndexes", [])
    }
    for index in req.get("GlobalSecondaryIndexes", []):
        if index["IndexName"] in have:
            continue
        names = {k["AttributeName"] for k in index["KeySchema"]}
        ddb.update_table(
            TableName=req["TableName"],
            AttributeDefinitions=[a for a in req["AttributeDefinitions"] if a["AttributeName"] in names],
            GlobalSecondaryIndexUpdates=[{"Create": index}],
        )
        log.info("added index %s to %s", index["IndexName"], req["TableName"])


def _enable_stream(ddb: Any, req: dict[str, Any]) -> None:
    """A table kept by DynamoDB Local from before the template gave it a stream gets the stream."""
    wanted = req.get("StreamSpecification")
    if not wanted:
        return
    have = ddb.describe_table(TableName=req["TableName"])["Table"].get("StreamSpecification") or {}
    if have.get("StreamEnabled") and have.get("StreamViewType") == wanted["StreamViewType"]:
        return
    if have.get("StreamEnabled"):  # another view type: a stream is replaced by disabling it first
        ddb.update_table(TableName=req["TableName"], StreamSpecification={"StreamEnabled": False})
    ddb.update_table(TableName=req["TableName"], StreamSpecification=wanted)
    log.info("enabled the stream of %s", req["TableName"])


def _list_tables(ddb: Any) -> list[str]:
    names: list[str] = []
    kwargs: dict[str, Any] = {}
    while True:
        page = ddb.list_tables(**kwargs)
        names += page.get("TableNames", [])
        if not page.get("LastEvaluatedTableName"):
            return names
        kwargs["ExclusiveStartTableName"] = page["LastEvaluatedTableName"]


# ------------------------------------------------------------------------------ queues, topics, ...
QUEUE_ATTRIBUTES = (
    "DelaySeconds",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds",
    "VisibilityTimeout",
    "FifoQueue",
    "ContentBasedDeduplication",
    "DeduplicationScope",
    "FifoThroughputLimit",
)


def create_queues(tpl: Template, endpoint: str) -> None:
    """Create queues, then attach redrive policies (a DLQ must exist before a queue can point at it)."""
    sqs = client("sqs", endpoint)
    queues = tpl.of_type(QUEUE)
    for lid in queues:
        p = tpl.resolve(tpl.props(lid))
        attrs = {k: _attr(p[k]) for k in QUEUE_ATTRIBUTES if k in p}
        name = tpl.physical[lid]["QueueName"]
        url = sqs.create_queue(QueueName=name, Attributes=attrs)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        tpl.physical[lid].update({"Ref": url, "QueueUrl": url, "Arn": arn})
    for lid in queues:
        policy = tpl.resolve(tpl.props(lid).get("RedrivePolicy"))  # resolved now that DLQ ARNs are real
        if policy:
            sqs.set_queue_attributes(
                QueueUrl=tpl.physical[lid]["QueueUrl"], Attributes={"RedrivePolicy": json.dumps(policy)}
            )


def _attr(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def create_topics(tpl: Template, endpoint: str) -> None:
    sns = client("sns", endpoint)
    for lid in tpl.of_type(TOPIC):
        p = tpl.resolve(tpl.props(lid))
        attrs = {"FifoTopic": "true"} if p.get("FifoTopic") in (True, "true") else {}
        arn = sns.create_topic(Name=tpl.physical[lid]["TopicName"], Attributes=attrs)["TopicArn"]
        tpl.physical[lid].update({"Ref": arn, "TopicArn": arn})
    subscriptions = [
        (tpl.physical.get(lid, {}).get("Ref", ""), sub)
        for lid in tpl.of_type(TOPIC)
        for sub in tpl.resolve(tpl.props(lid).get("Subscription") or [])
    ]
    for lid in tpl.of_type("AWS::SNS::Subscription"):
        p = tpl.resolve(tpl.props(lid))
        subscriptions.append((p.get("TopicArn", ""), p))
    for topic_arn, sub in subscriptions:
        if topic_arn and sub.get("Endpoint") and sub.get("Protocol"):
            attrs = {"RawMessageDelivery": "true"} if sub.get("RawMessageDelivery") in (True, "true") else {}
            sns.subscribe(TopicArn=topic_arn, Protocol=sub["Protocol"], Endpoint=sub["Endpoint"], Attributes=attrs)


def create_event_buses(tpl: Template, endpoint: str) -> None:
    events = client("events", endpoint)
    for lid in tpl.of_type("AWS::Events::EventBus"):
        name = tpl.physical_name(lid, "Name")
        try:
            arn = events.create_event_bus(Name=name)["EventBusArn"]
        except ClientError:
            continue
        tpl.physical[lid] = {"Ref": name, "Name": name, "Arn": arn}


def create_secrets(tpl: Template, endpoint: str | None) -> None:
    """The template's secrets in moto's Secrets Manager, so functions read their keys as they do deployed.

    A generated secret gets a fixed, published development value (not a random one): a local stack whose data
    survives restarts (DynamoDB Local) keeps hashes and tokens comparable across restarts.
    """
    sm = client("secretsmanager", endpoint)
    for lid in tpl.of_type(SECRET):
        given = tpl.resolve(tpl.props(lid).get("SecretString"))
        value = given if isinstance(given, str) and given else f"passaparola-local-{lid}-development-value"
        name = tpl.physical_name(lid, "Name")
        try:
            arn = sm.create_secret(Name=name, SecretString=value)["ARN"]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ResourceExistsException":
                raise
            arn = sm.describe_secret(SecretId=name)["ARN"]
        tpl.physical[lid] = {"Ref": arn, "Id": arn, "Name": name}


LOCAL_PASSWORD_POLICY = {
    "MinimumLength": 8,
    "RequireUppercase": False,
    "RequireLowercase": False,
    "RequireNumbers": False,
    "RequireSymbols": False,
}
"""The dev users' published password (`passaparola-dev`) would not pass the deployed pool's policy."""
CLIENT_PROPERTIES = (
    "ClientName",
    "GenerateSecret",
    "ExplicitAuthFlows",
    "PreventUserExistenceErrors",
    "EnableTokenRevocation",
    "IdTokenValidity",
    "AccessTokenValidity",
    "RefreshTokenValidity",
    "TokenValidityUnits",
)


def create_user_pools(tpl: Template, endpoint: str) -> None:
    """The template's Cognito user pools, their app clients and groups, in moto (the console's sign-in).

    The password policy is relaxed locally for the published dev password; everything else is as declared.
    """
    cognito = client("cognito-idp", endpoint)
    for lid in tpl.of_type(USER_POOL):
        p = tpl.resolve(tpl.props(lid))
        kwargs = {k: p[k] for k in ("UsernameAttributes", "AutoVerifiedAttributes", "AdminCreateUserConfig") if k in p}
        if p.get("UsernameConfiguration"):
            kwargs["UsernameConfiguration"] = p["UsernameConfiguration"]
        kwargs["Policies"] = {"PasswordPolicy": LOCAL_PASSWORD_POLICY}
        pool = cognito.create_user_pool(PoolName=p.get("UserPoolName") or tpl.default_name(lid), **kwargs)["UserPool"]
        tpl.physical[lid] = {"Ref": pool["Id"], "Arn": pool["Arn"], "ProviderName": pool["Id"]}
    for lid in tpl.of_type(USER_POOL_CLIENT):
        p = tpl.resolve(tpl.props(lid))
        kwargs = {k: p[k] for k in CLIENT_PROPERTIES if k in p}
        kwargs["ClientName"] = kwargs.get("ClientName") or lid
        created = cognito.create_user_pool_client(UserPoolId=p["UserPoolId"], **kwargs)["UserPoolClient"]
        tpl.physical[lid] = {"Ref": created["ClientId"], "ClientId": created["ClientId"]}
    for lid in tpl.of_type(USER_POOL_GROUP):
        p = tpl.resolve(tpl.props(lid))
        extra = {k: p[k] for k in ("Description", "Precedence") if k in p}
        cognito.create_group(UserPoolId=p["UserPoolId"], GroupName=p["GroupName"], **extra)
        tpl.physical[lid] = {"Ref": p["GroupName"]}


def create_user(endpoint: str | None, pool_id: str, email: str, role: str, password: str | None) -> None:
    """A console user in `role`'s group: with a permanent password, or (none given) a temporary one that Cognito
    emails and the first sign-in replaces. Shared by the local stack's dev users and `make admin-user`."""
    cognito = client("cognito-idp", endpoint)
    attributes = [{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}]
    extra = {"MessageAction": "SUPPRESS"} if password else {"DesiredDeliveryMediums": ["EMAIL"]}
    cognito.admin_create_user(UserPoolId=pool_id, Username=email, UserAttributes=attributes, **extra)
    if password:
        cognito.admin_set_user_password(UserPoolId=pool_id, Username=email, Password=password, Permanent=True)
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=email, GroupName=role)


EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[a-z]{2,}$", re.I)


def verify_ses_identities(tpl: Template, endpoint: str, environment: dict[str, str]) -> list[str]:
    """moto's SES rejects mail from unverified senders: verify declared identities and sender-looking env values."""
    ses = client("ses", endpoint)
    identities = {
        str(tpl.resolve(tpl.props(lid).get("EmailIdentity")) or "") for lid in tpl.of_type("AWS::SES::EmailIdentity")
    }
    identities |= {v for v in environment.values() if EMAIL.match(v)}
    done = []
    for ident in sorted(i for i in identities if i):
        if "@" in ident:
            ses.verify_email_identity(EmailAddress=ident)
        else:
            ses.verify_domain_identity(Domain=ident)
        done.append(ident)
    return done


def create_all(tpl: Template, endpoints: Endpoints, create_tables_flag: bool) -> None:
    """Create every resource the template declares, filling `tpl.physical` with the real names/URLs/ARNs."""
    if create_tables_flag:
        create_tables(tpl, endpoints.dynamodb_url)
    create_queues(tpl, endpoints.moto_url)
    create_secrets(tpl, endpoints.moto_url)
    create_user_pools(tpl, endpoints.moto_url)
    create_topics(tpl, endpoints.moto_url)
    create_event_buses(tpl, endpoints.moto_url)
