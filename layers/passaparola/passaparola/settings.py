"""Runtime configuration, parsed once from the environment (the only module that reads it)."""

import os
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field


class Settings(BaseModel):
    """Environment variables set by template.yaml (deployed) or by the local stack.

    A plain pydantic model validated from `os.environ` by alias: pydantic-settings did the same for these scalar
    fields but cost every function about 60 ms of CPU at import (its sources, dotenv, typing inspection)."""

    model_config = ConfigDict(extra="ignore", frozen=True, validate_default=True)

    stage: str = Field("local", alias="STAGE")
    aws_region: str = Field("us-east-1", alias="AWS_REGION")
    campaigns_table: str = Field("passaparola-campaigns", alias="CAMPAIGNS_TABLE")
    codes_table: str = Field("passaparola-codes", alias="CODES_TABLE")
    redemptions_table: str = Field("passaparola-redemptions", alias="REDEMPTIONS_TABLE")
    customers_table: str = Field("passaparola-customers", alias="CUSTOMERS_TABLE")
    api_keys_table: str = Field("passaparola-api-keys", alias="API_KEYS_TABLE")
    referrals_table: str = Field("passaparola-referrals", alias="REFERRALS_TABLE")
    rewards_table: str = Field("passaparola-rewards", alias="REWARDS_TABLE")
    orders_table: str = Field("passaparola-orders", alias="ORDERS_TABLE")
    messages_table: str = Field("passaparola-messages", alias="MESSAGES_TABLE")
    passes_table: str = Field(
        "passaparola-passes", alias="PASSES_TABLE", description="Wallet passes and the devices registered for them."
    )
    audit_table: str = Field(
        "passaparola-audit", alias="AUDIT_TABLE", description="Administrative changes, newest first."
    )
    webhooks_table: str = Field(
        "passaparola-webhooks", alias="WEBHOOKS_TABLE", description="Webhook endpoints and their delivery log."
    )
    webhook_retry_queue_url: str = Field(
        "", alias="WEBHOOK_RETRY_QUEUE_URL", description="Retries, replays (standard queue, per-message delays)."
    )
    webhook_disable_days: int = Field(
        5, alias="WEBHOOK_DISABLE_DAYS", description="An endpoint with no success for this long is disabled."
    )
    events_table: str = Field(
        "passaparola-events", alias="EVENTS_TABLE", description="The outbox of business events (docs/integrations.md)."
    )
    event_retention_days: int = Field(
        35, alias="EVENT_RETENTION_DAYS", description="How long an event stays readable (TTL of its item)."
    )
    event_bus_name: str = Field("", alias="EVENT_BUS_NAME", description="The EventBridge bus events go to.")
    webhook_queue_url: str = Field("", alias="WEBHOOK_QUEUE_URL", description="FIFO queue of webhook deliveries.")
    message_queue_url: str = Field("", alias="MESSAGE_QUEUE_URL")
    message_dlq_url: str = Field("", alias="MESSAGE_DLQ_URL")
    message_link_url: str = Field(
        "", alias="MESSAGE_LINK_URL", description="Base URL of links in messages when PUBLIC_API_URL is unset."
    )
    sender_email: str = Field("", alias="SENDER_EMAIL", description="Verified SES sender of customer e-mails.")
    ses_configuration_set: str = Field(
        "",
        alias="SES_CONFIGURATION_SET",
        description="The SES configuration set emails are sent with: its bounces and complaints reach SesFeedbackTopic.",
    )
    shop_timezone: str = Field("Europe/Rome", alias="SHOP_TIMEZONE", description="Whose calendar day is due.")
    message_retry_base_seconds: int = Field(
        60, alias="MESSAGE_RETRY_BASE_SECONDS", description="First retry delay; x4 per attempt."
    )
    message_send_timeout_seconds: float = Field(
        10, alias="MESSAGE_SEND_TIMEOUT_SECONDS", description="Read timeout of one SES/SNS send (outcome unknown)."
    )
    public_api_url: str = Field(
        "", alias="PUBLIC_API_URL", description="Base URL of share links; default: the URL the request came to."
    )
    shop_url: str = Field("", alias="SHOP_URL", description="The shop's home: where unknown referral links lead.")
    customer_token_secret_arn: str = Field(
        "", alias="CUSTOMER_TOKEN_SECRET_ARN", description="Secrets Manager secret signing customer tokens."
    )
    unsubscribe_secret_arn: str = Field(
        "", alias="UNSUBSCRIBE_SECRET_ARN", description="Secrets Manager secret signing unsubscribe links."
    )
    fingerprint_secret_arn: str = Field(
        "",
        alias="FINGERPRINT_SECRET_ARN",
        description="Secrets Manager secret keying the hashes of IPs, user agents and emails (never rotated).",
    )
    wallet_pass_secret_arn: str = Field(
        "",
        alias="WALLET_PASS_SECRET_ARN",
        description="Secrets Manager secret with the Apple and Google wallet credentials (empty: passes off).",
    )
    secrets_max_age_seconds: int = Field(
        300, alias="SECRETS_MAX_AGE_SECONDS", description="How long a container keeps a secret before reading it again."
    )
    lambda_function_name: str = Field(
        "", alias="AWS_LAMBDA_FUNCTION_NAME", description="Set by the Lambda runtime: this code is deployed."
    )
    aws_sam_local: bool = Field(
        False, alias="AWS_SAM_LOCAL", description="Set by `sam local`: a Lambda runtime on a developer's machine."
    )
    idempotency_table: str = Field("passaparola-idempotency", alias="IDEMPOTENCY_TABLE")
    code_batch_queue_url: str = Field("", alias="CODE_BATCH_QUEUE_URL")
    team_topic_arn: str = Field("", alias="TEAM_TOPIC_ARN", description="SNS topic for messages to the shop's team.")
    dynamodb_endpoint_url: str | None = Field(None, alias="DYNAMODB_ENDPOINT_URL")
    allowed_origins: str = Field("*", alias="ALLOWED_ORIGINS")
    api_key_cache_seconds: int = Field(60, alias="API_KEY_CACHE_SECONDS")
    api_key_cache_size: int = Field(1000, alias="API_KEY_CACHE_SIZE", description="Keys a container remembers.")
    api_key_negative_seconds: int = Field(
        10, alias="API_KEY_NEGATIVE_SECONDS", description="How long an unknown key is remembered as unknown."
    )
    console_user_pool_id: str = Field(
        "", alias="CONSOLE_USER_POOL_ID", description="Cognito user pool of the console's users (empty: no sign-in)."
    )
    console_client_id: str = Field("", alias="CONSOLE_CLIENT_ID", description="The pool's app client for the console.")
    cognito_jwks_url: str = Field(
        "", alias="COGNITO_JWKS_URL", description="Where the pool's signing keys are read; default: Cognito's URL."
    )
    apns_url: str = Field(
        "https://api.push.apple.com", alias="APNS_URL", description="APNs base URL (locally: the /local/push recorder)."
    )
    google_wallet_api_url: str = Field(
        "https://walletobjects.googleapis.com",
        alias="GOOGLE_WALLET_API_URL",
        description="Google Wallet API base URL (locally: the /local/push recorder).",
    )
    google_oauth_url: str = Field(
        "https://oauth2.googleapis.com/token",
        alias="GOOGLE_OAUTH_URL",
        description="Google's OAuth2 token endpoint (locally: the /local/push recorder).",
    )
    max_body_bytes: int = Field(65536, alias="MAX_BODY_BYTES")
    idempotency_ttl_seconds: int = Field(86400, alias="IDEMPOTENCY_TTL_SECONDS")

    @property
    def development_keys(self) -> bool:
        """Fixed, published signing keys are allowed only on a developer's machine (STAGE=local outside Lambda,
        or under `sam local`, which sets AWS_LAMBDA_FUNCTION_NAME too), never in a deployed Lambda."""
        return self.stage == "local" and (not self.lambda_function_name or self.aws_sam_local)

    @property
    def console_issuer(self) -> str:
        """The `iss` of the pool's tokens; a pool id starts with its region (`eu-west-1_AbC`)."""
        region = self.console_user_pool_id.split("_", 1)[0] or self.aws_region
        return f"https://cognito-idp.{region}.amazonaws.com/{self.console_user_pool_id}"

    @property
    def console_jwks_url(self) -> str:
        return self.cognito_jwks_url or f"{self.console_issuer}/.well-known/jwks.json"

    @property
    def origins(self) -> list[str]:
        return [o.strip() for o in self.allowed_origins.split(",") if o.strip()]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.model_validate(os.environ)
