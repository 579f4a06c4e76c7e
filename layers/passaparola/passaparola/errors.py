"""Typed domain errors carrying their stable error code and HTTP status.

Services raise these; `passaparola.api.errors` maps them to responses in one place.
"""

from typing import Any, ClassVar


class DomainError(Exception):
    code: ClassVar[str] = "internal_error"
    status: ClassVar[int] = 500
    default_message: ClassVar[str] = "Internal error."
    stored: ClassVar[bool] = True
    """Whether an Idempotency-Key keeps this refusal as the key's answer (a 4xx): False for one that says "retry",
    which a retry with the key must be able to get past."""

    def __init__(self, message: str | None = None, details: dict[str, Any] | None = None) -> None:
        self.message = message or self.default_message
        self.details = details or {}
        super().__init__(self.message)


class InvalidRequest(DomainError):
    code, status, default_message = "invalid_request", 400, "The request is invalid."


class Unauthorized(DomainError):
    code, status, default_message = "unauthorized", 401, "A valid API key is required."


class Forbidden(DomainError):
    code, status, default_message = "forbidden", 403, "This key may not use this route."


class NotFound(DomainError):
    code, status, default_message = "not_found", 404, "Not found."


class Conflict(DomainError):
    code, status, default_message = "conflict", 409, "The resource was changed concurrently; retry."
    stored = False  # contention, not an answer: an order whose coupon was redeemed must still get recorded


class RateLimited(DomainError):
    code, status, default_message = "rate_limited", 429, "Too many requests."
    stored = False  # "slow down", not an answer: a later retry with the key must be served


class IdempotencyConflict(DomainError):
    code, status = "idempotency_conflict", 409
    default_message = "This Idempotency-Key was used with a different request."
    stored = False  # about the key, not the request: the key's own answer stays what it is


class IdempotencyInProgress(DomainError):
    code, status = "idempotency_in_progress", 409
    default_message = "A request with this Idempotency-Key is still being processed."
    stored = False


class AlreadyRolledBack(DomainError):
    code, status, default_message = "already_rolled_back", 409, "This redemption was already rolled back."


class CodeAlreadyExists(DomainError):
    code, status, default_message = "code_already_exists", 409, "This code already exists."


class CodesGuessable(DomainError):
    code, status = "codes_guessable", 422
    default_message = "The pattern has too few combinations for this many codes: they would be guessable."


class CampaignTypeMismatch(DomainError):
    code, status, default_message = "campaign_type_mismatch", 422, "This operation needs another campaign type."


class DiscountTypeLocked(DomainError):
    code, status = "discount_type_locked", 422
    default_message = "A gift card's codes carry their own balance: its discount cannot change to or from gift_card."


class CampaignDisabled(DomainError):
    code, status, default_message = "campaign_disabled", 422, "This campaign is switched off."


class OfferAfterConversion(DomainError):
    code, status = "offer_after_conversion", 422
    default_message = "This program gives the friend's reward after the first order, not before it."


class ConversionNotFlagged(DomainError):
    code, status, default_message = "conversion_not_flagged", 409, "Only a flagged conversion can be decided."


class RefundExceedsOrder(DomainError):
    code, status, default_message = "refund_exceeds_order", 422, "The refund is larger than what is left of the order."


class LoyaltyProgramExists(DomainError):
    code, status = "loyalty_program_exists", 409
    default_message = "The shop already has a loyalty program; change it with PATCH."


class NoLoyaltyProgram(DomainError):
    code, status, default_message = "no_loyalty_program", 404, "The shop has no loyalty program."


class NoReferralProgram(DomainError):
    code, status, default_message = "no_referral_program", 422, "The shop has no active referral program."


class NotAMember(DomainError):
    code, status, default_message = "not_a_member", 422, "This customer has not joined the loyalty program."


class InsufficientPoints(DomainError):
    code, status, default_message = "insufficient_points", 422, "The points balance does not cover this reward."


class PointsDebt(DomainError):
    code, status = "points_debt", 422
    default_message = (
        "The customer owes points (a refunded order's points were already spent): no reward until it is paid."
    )


class LoyaltyProgramRequired(DomainError):
    code, status = "loyalty_program_required", 422
    default_message = "Points rewards need the shop's loyalty program: create it first, or choose another reward."


class OutOfStock(DomainError):
    code, status, default_message = "out_of_stock", 409, "This reward is out of stock."


class TierRequired(DomainError):
    code, status, default_message = "tier_required", 403, "This reward needs a higher tier."


class RewardNotFound(DomainError):
    code, status, default_message = "reward_not_found", 404, "No such reward in the loyalty catalogue."


class TokenRequired(DomainError):
    code, status, default_message = "token_required", 401, "This route needs a customer token (X-Customer-Token)."


class InvalidToken(DomainError):
    code, status, default_message = "invalid_token", 401, "The customer token is malformed or its signature is wrong."


class TokenExpired(DomainError):
    code, status, default_message = "token_expired", 401, "The customer token has expired; ask the shop for a new one."


class TokenRevoked(DomainError):
    code, status = "token_revoked", 401
    default_message = "The customer token was revoked (the customer was erased or the shop revoked their tokens)."


class NoRole(DomainError):
    code, status = "no_role", 403
    default_message = "This console user has no role (owner, marketer or support); ask the owner to give them one."


class ForbiddenRole(DomainError):
    code, status, default_message = "forbidden_role", 403, "Your role may not do this."


class InvalidCredentials(DomainError):
    code, status, default_message = "invalid_credentials", 401, "The email or password is wrong."


class NewPasswordRequired(DomainError):
    code, status = "new_password_required", 409
    default_message = "Choose a new password: send it with details.session to POST /v1/console/session."


class UserExists(DomainError):
    code, status, default_message = "user_exists", 409, "A console user with this email already exists."


class ConfigurationError(DomainError):
    code, status = "configuration_error", 500
    default_message = "The service is missing a signing key; the operator has to configure it (see the logs)."


class PassesNotConfigured(DomainError):
    """The wallet credentials a route needs are not configured (WalletPassSecretArn, or its Apple/Google part)."""

    code, status = "passes_not_configured", 501
    default_message = "Wallet passes are not configured on this deployment (WalletPassSecretArn)."


class SegmentExists(DomainError):
    code, status, default_message = "segment_exists", 409, "A segment with this name already exists."


class CouponRejected(DomainError):
    """A business rule refused the coupon; `code` is one of COUPON_ERRORS."""

    status = 422

    def __init__(self, code: str, message: str | None = None, details: dict[str, Any] | None = None) -> None:
        self.code = code  # type: ignore[misc]
        self.status = COUPON_STATUS.get(code, 422)  # type: ignore[misc]
        super().__init__(message or COUPON_ERRORS[code], details)


COUPON_ERRORS: dict[str, str] = {
    "coupon_not_found": "No such coupon code.",
    "coupon_expired": "This coupon has expired.",
    "coupon_not_active_yet": "This coupon is not active yet.",
    "coupon_not_active_now": "This coupon is not valid at this day or hour.",
    "coupon_disabled": "This coupon was disabled (the order that earned it was refunded).",
    "code_disabled": "This code was switched off by the shop.",
    "campaign_disabled": "This campaign is switched off.",
    "redemption_limit_reached": "This coupon has reached its redemption limit.",
    "customer_limit_reached": "This customer has already used this campaign the maximum number of times.",
    "customer_not_allowed": "This coupon belongs to another customer.",
    "customer_required": "This coupon needs a customer_id.",
    "not_new_customer": "This coupon is for new customers only.",
    "order_below_minimum": "The order is below the minimum amount for this coupon.",
    "currency_mismatch": "The order currency does not match the coupon's.",
    "country_not_allowed": "This coupon is not valid in this country.",
    "no_applicable_items": "No item in the order qualifies for this coupon.",
    "gift_card_balance_exhausted": "This gift card has no balance left.",
}

# An unknown code is a 404; every other refusal is a business rule (422).
COUPON_STATUS: dict[str, int] = {"coupon_not_found": 404}


class WebhookUrlRefused(DomainError):
    code, status = "webhook_url_refused", 400
    default_message = "This URL cannot receive webhooks (https only; no private, loopback or link-local address)."


class WebhookLimitReached(DomainError):
    code, status, default_message = "webhook_limit_reached", 409, "At most 20 webhook endpoints."


class PayoutAlreadyPaid(DomainError):
    code, status, default_message = "payout_already_paid", 409, "This payout was already marked paid."


class PayoutPeriodOpen(DomainError):
    code, status = "payout_period_open", 409
    default_message = (
        "A payout is marked paid from 15 minutes after its month has ended (rewards may still be released into it)."
    )


class PayoutNotPositive(DomainError):
    code, status = "payout_not_positive", 422
    default_message = "Nothing to pay: this payout's clawbacks equal or exceed its rewards."
