"""PynamoDB models, one per item type; table names and endpoint come from settings via `bind()`."""

import threading
from typing import Any

import botocore.session
import pynamodb.connection.base
from pynamodb.attributes import (
    BooleanAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.connection import Connection
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from passaparola.settings import Settings, get_settings


class CampaignModel(Model):
    """A campaign; `spec` holds the JSON of what the marketer configured, counters sit beside it."""

    class Meta:
        table_name = "passaparola-campaigns"

    id = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute(default="campaign")
    type = UnicodeAttribute()
    spec = UnicodeAttribute()
    enabled = BooleanAttribute()
    version = NumberAttribute()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    codes_issued = NumberAttribute(default=0)
    redemptions = NumberAttribute(default=0)
    rolled_back = NumberAttribute(default=0)
    discount_given: MapAttribute[str, Any] = MapAttribute(default=dict)
    hot_shards = NumberAttribute(null=True)
    """A hot campaign's shard count (its `rules.hot_shards`), so that the switch can require its absence."""


class CodeBatchModel(Model):
    """A background code batch; lives in the campaigns table (`kind=batch`)."""

    class Meta:
        table_name = "passaparola-campaigns"

    id = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute(default="batch")
    campaign_id = UnicodeAttribute()
    requested = NumberAttribute()
    created = NumberAttribute(default=0)
    status = UnicodeAttribute()
    pattern = UnicodeAttribute()
    prefix = UnicodeAttribute(default="")
    suffix = UnicodeAttribute(default="")
    created_at = UTCDateTimeAttribute()
    completed_at = UTCDateTimeAttribute(null=True)


class CodePatternModel(Model):
    """How many codes of one pattern a campaign has (`id=<campaign>#pattern#<pattern>`, `kind=pattern`).

    Counted when codes are requested (a batch reserves its whole count up front), so the guessable-code
    check sees every code of the pattern, written or coming, with one conditional update and no scan."""

    class Meta:
        table_name = "passaparola-campaigns"

    id = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute(default="pattern")
    campaign_id = UnicodeAttribute()
    codes = NumberAttribute(default=0)


class ByCampaignIndex(GlobalSecondaryIndex["CodeModel"]):
    class Meta:
        index_name = "by_campaign"
        projection = AllProjection()

    campaign_id = UnicodeAttribute(hash_key=True)
    code = UnicodeAttribute(range_key=True)


class ByBatchIndex(GlobalSecondaryIndex["CodeModel"]):
    """Sparse: the codes of a batch (`batch_id` is set only on batch codes, also on those written before it)."""

    class Meta:
        index_name = "by_batch"
        projection = AllProjection()

    batch_id = UnicodeAttribute(hash_key=True)
    code = UnicodeAttribute(range_key=True)


class CodeModel(Model):
    class Meta:
        table_name = "passaparola-codes"

    code = UnicodeAttribute(hash_key=True)
    campaign_id = UnicodeAttribute()
    customer_id = UnicodeAttribute(null=True)
    batch_id = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    issued_at = UTCDateTimeAttribute(null=True)
    expires_at = UTCDateTimeAttribute(null=True)
    redemptions = NumberAttribute(default=0)
    balance = NumberAttribute(null=True)
    message_id = UnicodeAttribute(null=True)
    message_stats = UnicodeAttribute(null=True)
    """The results item of the re-engagement variant whose message issued the code (redemptions count there)."""
    reward_stats = UnicodeAttribute(null=True)
    """A referral program's coupon: the program, variant and expected cost its redemption counts in (JSON)."""
    disabled_at = UTCDateTimeAttribute(null=True)
    """Set when the code can no longer be redeemed (a referral reward whose qualifying order was refunded)."""
    switched_off_at = UTCDateTimeAttribute(null=True)
    """Set while the shop has switched this one code off (POST /v1/codes/{code}/disable; /enable removes it)."""
    referral_code = UnicodeAttribute(null=True)
    """A friend coupon: the referral it was issued through (POST /v1/referrals/{code}/friends)."""
    bound_email_hash = UnicodeAttribute(null=True)
    """A friend coupon: the keyed hash of the email it is bound to until its first redemption binds a customer."""
    referrer_id = UnicodeAttribute(null=True)
    """A friend coupon: the referrer's customer id, which never redeems it (self-referral refused at the order)."""
    by_campaign = ByCampaignIndex()
    by_batch = ByBatchIndex()


class ByCodeIndex(GlobalSecondaryIndex["RedemptionModel"]):
    class Meta:
        index_name = "by_code"
        projection = AllProjection()

    code = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class RedemptionsByCampaignIndex(GlobalSecondaryIndex["RedemptionModel"]):
    class Meta:
        index_name = "by_campaign"
        projection = AllProjection()

    campaign_id = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class RedemptionModel(Model):
    class Meta:
        table_name = "passaparola-redemptions"

    id = UnicodeAttribute(hash_key=True)
    code = UnicodeAttribute()
    campaign_id = UnicodeAttribute()
    customer_id = UnicodeAttribute(null=True)
    order_id = UnicodeAttribute()
    order_amount = NumberAttribute()
    currency = UnicodeAttribute()
    discount_amount = NumberAttribute()
    order_amount_after = NumberAttribute()
    gift_card_amount = NumberAttribute(default=0)
    applicable_items = UnicodeAttribute(default="[]")
    status = UnicodeAttribute()
    created_at = UnicodeAttribute()
    rolled_back_at = UnicodeAttribute(null=True)
    new_customer = BooleanAttribute(null=True)
    """The order was the customer's first: counted in the campaign's `new_customers` (taken back by a rollback)."""
    refunded = NumberAttribute(null=True)
    """What refunds of the order took back from the campaign's `revenue_<CUR>` (a rollback takes only the rest)."""
    code_facts = UnicodeAttribute(null=True)
    """JSON of what a rollback needs of the code (`owner`, `message_stats`, `reward_stats`: fixed once redeemed),
    so that it reads this item only; absent on redemptions written before it (the rollback then reads the code)."""
    by_code = ByCodeIndex()
    by_campaign = RedemptionsByCampaignIndex()


class OrderLockModel(Model):
    """Makes a redemption idempotent on (code, order id): created with it, deleted by its rollback."""

    class Meta:
        table_name = "passaparola-redemptions"

    id = UnicodeAttribute(hash_key=True)
    redemption_id = UnicodeAttribute()


class IdempotencyModel(Model):
    """An Idempotency-Key's record, in powertools' DynamoDBPersistenceLayer format (passaparola.data.idempotency)."""

    class Meta:
        table_name = "passaparola-idempotency"

    id = UnicodeAttribute(hash_key=True)
    status = UnicodeAttribute()
    expiration = NumberAttribute()
    """Epoch seconds; the table's TTL attribute."""
    in_progress_expiration = NumberAttribute(null=True)
    """Epoch milliseconds, INPROGRESS records only (written by the generic path)."""
    validation = UnicodeAttribute(null=True)
    """The request body's hash: the same key with another body is a conflict."""
    data = UnicodeAttribute(null=True)
    """The stored answer: JSON of {"status", "headers", "body"}."""


class ByEmailIndex(GlobalSecondaryIndex["CustomerModel"]):
    """Sparse: only customer records with an email (`email_hash`, the keyed hash of the normalised address)."""

    class Meta:
        index_name = "by_email"
        projection = KeysOnlyProjection()

    email_hash = UnicodeAttribute(hash_key=True)
    customer_id = UnicodeAttribute(range_key=True)


class CustomerModel(Model):
    """The customer record (`sk="facts"`): profile, order facts, engagement, loyalty account and segments.

    One item, so that every rule about a customer (coupon limits, referral fraud, segments, tiers) reads one
    item, and the wallet and profile one partition. Counters move with ADD; the derived parts (segments,
    basket history, caps, tier) are set from what was read, guarded by `version`.
    """

    class Meta:
        table_name = "passaparola-customers"

    customer_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default="facts")
    version = NumberAttribute(null=True)
    # profile (erased by DELETE)
    email = UnicodeAttribute(null=True)
    email_hash = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    name = UnicodeAttribute(null=True)
    birthday = UnicodeAttribute(null=True)
    """"MM-DD" or "YYYY-MM-DD"."""
    birthday_set_at = UnicodeAttribute(null=True)
    country = UnicodeAttribute(null=True)
    locale = UnicodeAttribute(null=True)
    consent = UnicodeAttribute(null=True)
    """JSON {"email": {"granted", "at", "source", "confirmed"?, "confirmed_at"?}, "sms": {...}}."""
    consent_requested_at = UnicodeAttribute(null=True)
    """When the last double opt-in confirmation was queued (one per 24 h)."""
    attributes = UnicodeAttribute(null=True)
    """JSON object of the shop's custom attributes."""
    signed_up_at = UnicodeAttribute(null=True)
    profile_at = UnicodeAttribute(null=True)
    """When the profile was first PUT (None: only known from orders or events)."""
    updated_at = UnicodeAttribute(null=True)
    erased_at = UnicodeAttribute(null=True)
    token_epoch = NumberAttribute(null=True)  # customer tokens issued under a lower epoch are revoked
    # order facts
    order_ids = UnicodeSetAttribute(null=True)
    """Orders seen (reported or redeemed on): a set, so two coupons on one order count one order."""
    first_order_at = UnicodeAttribute(null=True)
    last_order_at = UnicodeAttribute(null=True)
    order_count = NumberAttribute(null=True)
    spent: MapAttribute[str, Any] = MapAttribute(null=True)
    """Paid amount net of refunds, per currency."""
    baskets = UnicodeAttribute(null=True)
    """JSON [[amount, currency], ...]: the last 6 orders' paid amounts, oldest first."""
    coupon_orders = NumberAttribute(null=True)
    referred_by = UnicodeAttribute(null=True)
    """The referral code whose conversion this customer was (one per customer, ever)."""
    referred_campaign_id = UnicodeAttribute(null=True)
    referred_variant = UnicodeAttribute(null=True)
    referred_by_customer_id = UnicodeAttribute(null=True)
    referrals_converted = NumberAttribute(null=True)
    active_month = UnicodeAttribute(null=True)
    shared_month = UnicodeAttribute(null=True)
    brought_month = UnicodeAttribute(null=True)
    """The referral rate's distinct marks (`YYYY-MM`, shop-local): the last month the customer ordered, had
    their link clicked, brought an accepted conversion; each first move in a month counts in `MONTH#shop`."""
    fingerprints = UnicodeSetAttribute(null=True)
    """Hashed IPs and IP+user agents seen on this customer's orders and referral link (fraud rules)."""
    # engagement
    engagement = NumberAttribute(null=True)
    engagement_at = UnicodeAttribute(null=True)
    signals: MapAttribute[str, Any] = MapAttribute(null=True)
    # loyalty account
    enrolled_at = UnicodeAttribute(null=True)
    balance = NumberAttribute(null=True)
    pending = NumberAttribute(null=True)
    earned_total = NumberAttribute(null=True)
    consumed = NumberAttribute(null=True)
    lifetime_earned = NumberAttribute(null=True)
    months: MapAttribute[str, Any] = MapAttribute(null=True)
    caps: MapAttribute[str, Any] = MapAttribute(null=True)
    tier = UnicodeAttribute(null=True)
    tier_since = UnicodeAttribute(null=True)
    tier_review_at = UnicodeAttribute(null=True)
    tiers_reached = UnicodeSetAttribute(null=True)
    signup_earned = BooleanAttribute(null=True)
    birthday_year = NumberAttribute(null=True)
    loyalty_redemptions = NumberAttribute(null=True)
    last_activity_at = UnicodeAttribute(null=True)
    segments = UnicodeSetAttribute(null=True)
    # messaging
    categories: MapAttribute[str, Any] = MapAttribute(null=True)
    """Units ordered per product category (the 50 largest): the favourite category of win-back offers."""
    last_shared_at = UnicodeAttribute(null=True)
    pass_serial = UnicodeAttribute(null=True)
    """The customer's wallet pass (`passaparola/data/passes.py`), set once when the pass is first issued."""
    by_email = ByEmailIndex()


class DueIndexByCustomer(GlobalSecondaryIndex["TimerModel"]):
    class Meta:
        index_name = "due"
        projection = AllProjection()

    due = UnicodeAttribute(hash_key=True)
    customer_id = UnicodeAttribute(range_key=True)


class TimerModel(Model):
    """Something that happens to a customer on a day (`sk=timer#<kind>[#<ref>]`, `due=<kind>#<YYYY-MM-DD>`).

    Kinds: release (pending order points), expire (a points lot, `sk=lot#...`), inactive (inactivity
    expiry), tier (status review), new (leaves new_customers), lapse (enters lapsed_180d), and birthday
    (`due=birthday#MM-DD`, recurring). The daily job queries the index for today's keys only.

    Markers for re-engagement (docs/messages.md), found by the same index: `signup` (`due=signup#MM-DD`),
    `last_order` (`due=last_order#<day>`, moved by every order), `ordered#<order id>` (`due=ordered#<day>`
    with the order's `skus` and `categories`) and `shared`
    (`due=shared#<day>` of the last share).
    """

    class Meta:
        table_name = "passaparola-customers"

    customer_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    due = UnicodeAttribute(null=True)
    at = UnicodeAttribute(null=True)
    ref = UnicodeAttribute(null=True)
    points = NumberAttribute(null=True)
    skus = UnicodeSetAttribute(null=True)
    categories = UnicodeSetAttribute(null=True)
    cum_before = NumberAttribute(null=True)
    """Lots only (read through this model by the index): their FIFO position."""
    due_index = DueIndexByCustomer()


class LotModel(Model):
    """Released points that expire together (`sk=lot#<released_at>#<id>`): FIFO basis `cum_before`.

    `due=expire#<day>` while it can still expire (the sparse index of the daily job)."""

    class Meta:
        table_name = "passaparola-customers"

    customer_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    points = NumberAttribute()
    cum_before = NumberAttribute()
    expires_at = UnicodeAttribute()
    due = UnicodeAttribute(null=True)


class BySegmentIndex(GlobalSecondaryIndex["MembershipModel"]):
    class Meta:
        index_name = "by_segment"
        projection = AllProjection()

    segment = UnicodeAttribute(hash_key=True)
    customer_id = UnicodeAttribute(range_key=True)


class MembershipModel(Model):
    """A customer in a segment (`sk=segment#<name>`), listed by segment through the sparse index."""

    class Meta:
        table_name = "passaparola-customers"

    customer_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    segment = UnicodeAttribute()
    entered_at = UnicodeAttribute()
    by_segment = BySegmentIndex()


class SegmentChangeModel(Model):
    """An entry or exit (`customer_id=segchanges#<YYYY-MM-DD>`, `sk=<at>#<customer>#<segment>#<change>`)."""

    class Meta:
        table_name = "passaparola-customers"

    customer_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    customer = UnicodeAttribute()
    segment = UnicodeAttribute(attr_name="segment_name")
    """Stored as `segment_name`: `segment` is the by_segment index's key, for memberships only."""
    change = UnicodeAttribute()
    at = UnicodeAttribute()
    reason = UnicodeAttribute()
    expires_at = NumberAttribute(null=True)


class SegmentModel(Model):
    """`customer_id=segments`: `sk=count#<name>` members of a segment; `sk=def#<name>` a custom definition."""

    class Meta:
        table_name = "passaparola-customers"

    customer_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    members = NumberAttribute(null=True)
    spec = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute(null=True)
    backfilled = BooleanAttribute(null=True)


class ConfigModel(Model):
    """Shop-wide settings (`customer_id=config`, `sk=engagement`): JSON `spec`."""

    class Meta:
        table_name = "passaparola-customers"

    customer_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    spec = UnicodeAttribute()
    updated_at = UnicodeAttribute()


class CouponMirrorModel(Model):
    """A code bound to this customer (`sk=coupon#<code>`), for the wallet's one read; moved with the code."""

    class Meta:
        table_name = "passaparola-customers"

    customer_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    code = UnicodeAttribute(null=True)
    campaign_id = UnicodeAttribute(null=True)
    expires_at = UnicodeAttribute(null=True)
    uses = NumberAttribute(null=True)
    balance = NumberAttribute(null=True)
    currency = UnicodeAttribute(null=True)
    source = UnicodeAttribute(null=True)


class ReferralMirrorModel(Model):
    """The customer's referral link in a program (`sk=referral#<campaign>`) with its conversion counts."""

    class Meta:
        table_name = "passaparola-customers"

    customer_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    code = UnicodeAttribute(null=True)
    campaign_id = UnicodeAttribute(null=True)
    conversions = NumberAttribute(null=True)
    rewarded = NumberAttribute(null=True)


class CustomerCampaignModel(Model):
    """How often a customer redeemed one campaign (`sk="campaign#<id>"`): the per-customer limit."""

    class Meta:
        table_name = "passaparola-customers"

    customer_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    redemptions = NumberAttribute(default=0)


class ApiKeyModel(Model):
    class Meta:
        table_name = "passaparola-api-keys"

    id = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute()
    name = UnicodeAttribute()
    prefix = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    revoked_at = UTCDateTimeAttribute(null=True)


class AuditModel(Model):
    """One administrative change (`pk=AUDIT`, `sk=<ISO time>#<request id>`): read newest first, written once."""

    class Meta:
        table_name = "passaparola-audit"

    pk = UnicodeAttribute(hash_key=True, default="AUDIT")
    sk = UnicodeAttribute(range_key=True)
    id = UnicodeAttribute()
    at = UnicodeAttribute()
    action = UnicodeAttribute()
    actor = UnicodeAttribute()
    """JSON of {"type", "id", "email"?, "role"?}."""
    target_type = UnicodeAttribute()
    target_id = UnicodeAttribute()
    before = UnicodeAttribute(null=True)
    """JSON, at most AUDIT_MAX_BYTES (passaparola.audit.service)."""
    after = UnicodeAttribute(null=True)
    truncated = BooleanAttribute(default=False)


# ----------------------------------------------------------------------------------------- webhooks


class WebhookModel(Model):
    """A webhook endpoint (`pk=WEBHOOK`, `sk=whk_...`): at most 20, read together by one Query."""

    class Meta:
        table_name = "passaparola-webhooks"

    pk = UnicodeAttribute(hash_key=True, default="WEBHOOK")
    sk = UnicodeAttribute(range_key=True)
    url = UnicodeAttribute()
    events = UnicodeAttribute()
    """JSON list of patterns."""
    description = UnicodeAttribute(null=True)
    enabled = BooleanAttribute()
    secret = UnicodeAttribute()
    previous_secret = UnicodeAttribute(null=True)
    previous_expires_at = UnicodeAttribute(null=True)
    secret_rotated_at = UnicodeAttribute(null=True)
    disabled_reason = UnicodeAttribute(null=True)
    failing_since = UnicodeAttribute(null=True)
    last_success_at = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


class WebhookDeliveryModel(Model):
    """One event delivered to one endpoint (`pk=DLV#<webhook id>`, `sk=<ISO time>#<event id>[#r<nonce>]`),
    updated at each attempt; read newest first; gone after 30 days (TTL `expires_at`)."""

    class Meta:
        table_name = "passaparola-webhooks"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    id = UnicodeAttribute()
    event_id = UnicodeAttribute()
    event_type = UnicodeAttribute()
    body = UnicodeAttribute()
    """The event JSON exactly as sent (every attempt signs the same bytes)."""
    attempt = NumberAttribute(default=0)
    status = UnicodeAttribute()
    status_code = NumberAttribute(null=True)
    error = UnicodeAttribute(null=True)
    duration_ms = NumberAttribute(null=True)
    at = UnicodeAttribute()
    last_attempt_at = UnicodeAttribute(null=True)
    next_attempt_at = UnicodeAttribute(null=True)
    replay = BooleanAttribute(default=False)
    expires_at = NumberAttribute()


class EventsByHourIndex(GlobalSecondaryIndex["EventModel"]):
    class Meta:
        index_name = "by_hour"
        projection = AllProjection()

    hour = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class UnpublishedEventsIndex(GlobalSecondaryIndex["EventModel"]):
    class Meta:
        index_name = "unpublished"
        projection = AllProjection()

    unpublished = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class EventModel(Model):
    """The events one transaction recorded (`id=evt_<ULID>`, the batch): written with the change they report in ONE
    Put, published from the stream; `unpublished="1"` (sparse index) until the publisher removed it. An event's id
    is the batch id and its 2-digit index. docs/integrations.md, "Events"."""

    class Meta:
        table_name = "passaparola-events"

    id = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute()
    """UTC ISO with milliseconds (`2026-12-07T09:30:00.123Z`), the same for every event of the batch: sorts as time."""
    hour = UnicodeAttribute()
    """`YYYY-MM-DDTHH` of created_at: the by_hour index's partition."""
    types = UnicodeSetAttribute()
    """The types of the batch's events (filter expressions of GET /v1/events)."""
    customer_ids = UnicodeSetAttribute(null=True)
    events = UnicodeAttribute()
    """JSON list of the events' envelopes (docs/events/*.json), in the order they were recorded."""
    unpublished = UnicodeAttribute(null=True)
    expires_at = NumberAttribute()
    by_hour = EventsByHourIndex()
    unpublished_index = UnpublishedEventsIndex()


# ----------------------------------------------------------------------------------------- referrals


class LinkModel(Model):
    """A referrer's code in one campaign (`pk=REF#<code>`, `sk=LINK`) with its counters."""

    class Meta:
        table_name = "passaparola-referrals"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default="LINK")
    code = UnicodeAttribute()
    campaign_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    name = UnicodeAttribute(null=True)
    email_hash = UnicodeAttribute(null=True)
    variant = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    clicks = NumberAttribute(default=0)
    visits = NumberAttribute(default=0)
    signups = NumberAttribute(default=0)
    conversions = NumberAttribute(default=0)
    flagged = NumberAttribute(default=0)
    blocked = NumberAttribute(default=0)
    rewarded = NumberAttribute(default=0)
    last_click_at = UnicodeAttribute(null=True)
    last_click_fp = UnicodeAttribute(null=True)


class LinkOwnerModel(Model):
    """Which code a customer has in a campaign (`pk=CUST#<id>`, `sk=LINK#<campaign>`): one link each."""

    class Meta:
        table_name = "passaparola-referrals"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    code = UnicodeAttribute()


class LinkFriendModel(Model):
    """A person who signed up through a link (`pk=REF#<code>`, `sk=FRIEND#<person key>`): the referrer's card lists
    them as `joined` until they order. Nothing personal: the person key is a keyed hash or the shop's id."""

    class Meta:
        table_name = "passaparola-referrals"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    at = UnicodeAttribute()


class TouchModel(Model):
    """A tracked visit/signup of a person (`pk=EMAIL#<hash>` or `CUST#<id>`, `sk=TOUCH#<campaign>`)."""

    class Meta:
        table_name = "passaparola-referrals"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    first_code = UnicodeAttribute()
    first_at = UnicodeAttribute()
    last_code = UnicodeAttribute()
    last_at = UnicodeAttribute()
    first_verified = BooleanAttribute(default=False)
    last_verified = BooleanAttribute(default=False)
    """Reported with the secret key (the shop's backend), not by a browser with the public key."""


class IdentityModel(Model):
    """What is known of an email across customer ids (`pk=EMAIL#<hash>`, `sk=FACTS`): ordered, referred."""

    class Meta:
        table_name = "passaparola-referrals"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default="FACTS")
    first_order_id = UnicodeAttribute(null=True)
    referred_by = UnicodeAttribute(null=True)


class FriendCouponModel(Model):
    """The coupon a referred friend got for their first order (`pk=EMAIL#<hash>`, `sk=FRIEND#<campaign>`): one per
    email and program, written with the code in one transaction conditioned on not existing yet."""

    class Meta:
        table_name = "passaparola-referrals"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    code = UnicodeAttribute()
    campaign_id = UnicodeAttribute()
    """The discount campaign that issued the code."""
    referral_code = UnicodeAttribute()
    expires_at = UnicodeAttribute()
    created_at = UnicodeAttribute()


class ByStatusIndex(GlobalSecondaryIndex["ConversionModel"]):
    class Meta:
        index_name = "by_status"
        projection = AllProjection()

    conv_status = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class ConversionsByCodeIndex(GlobalSecondaryIndex["ConversionModel"]):
    class Meta:
        index_name = "by_code"
        projection = AllProjection()

    code = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class ConversionModel(Model):
    """A conversion (`pk=CONV#<id>`, `sk=CONV`); listed by status (review queue) and by referral code."""

    class Meta:
        table_name = "passaparola-referrals"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default="CONV")
    id = UnicodeAttribute()
    campaign_id = UnicodeAttribute()
    code = UnicodeAttribute()
    variant = UnicodeAttribute(null=True)
    referrer_customer_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    order_id = UnicodeAttribute()
    event = UnicodeAttribute()
    amount = NumberAttribute()
    currency = UnicodeAttribute()
    conv_status = UnicodeAttribute()
    reasons = UnicodeSetAttribute(null=True)
    source = UnicodeAttribute()
    reward_ids = UnicodeSetAttribute(null=True)
    period_bucket = UnicodeAttribute(null=True)
    """The referrer's limit-period counter this conversion took a place in (given back on void)."""
    boards = UnicodeSetAttribute(null=True)
    """Leaderboard items this conversion counted in (taken back on void)."""
    created_at = UnicodeAttribute()
    decided_at = UnicodeAttribute(null=True)
    by_status = ByStatusIndex()
    by_code = ConversionsByCodeIndex()


class CounterModel(Model):
    """A fraud-rule counter in a time bucket: a referrer's period/hour, an IP's day. Expires by TTL."""

    class Meta:
        table_name = "passaparola-referrals"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    hits = NumberAttribute(default=0)
    expires_at = NumberAttribute(null=True)


class StatsModel(Model):
    """Report aggregates, kept current in the writes that change them (`pk=STATS#<campaign>`).

    `sk=VARIANT#<v>`: written in conversion/reward transactions; `sk=TRAFFIC#<v>`: clicks, visits, signups
    (plain counters, never in a transaction, so the busiest writes never conflict with orders);
    `pk=STATS#shop`, `sk=LTV#referred|LTV#other`: customers and revenue per currency for average LTV.
    """

    class Meta:
        table_name = "passaparola-referrals"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    referrers = NumberAttribute(default=0)
    clicks = NumberAttribute(default=0)
    visits = NumberAttribute(default=0)
    signups = NumberAttribute(default=0)
    conversions = NumberAttribute(default=0)
    flagged = NumberAttribute(default=0)
    blocked = NumberAttribute(default=0)
    rejected = NumberAttribute(default=0)
    refunded = NumberAttribute(default=0)
    rewards_released = NumberAttribute(default=0)
    points_awarded = NumberAttribute(default=0)
    customers: MapAttribute[str, Any] = MapAttribute(null=True)
    revenue: MapAttribute[str, Any] = MapAttribute(null=True)
    ltv_revenue: MapAttribute[str, Any] = MapAttribute(null=True)
    reward_cost: MapAttribute[str, Any] = MapAttribute(null=True)


class BoardByScoreIndex(GlobalSecondaryIndex["BoardModel"]):
    class Meta:
        index_name = "board"
        projection = AllProjection()

    board = UnicodeAttribute(hash_key=True)
    score = NumberAttribute(range_key=True)


class BoardModel(Model):
    """A referrer's line on a leaderboard (`pk=BOARD#<campaign>#<period>`, `sk=REF#<code>`)."""

    class Meta:
        table_name = "passaparola-referrals"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    board = UnicodeAttribute()
    score = NumberAttribute(default=0)
    code = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    name = UnicodeAttribute(null=True)
    by_score = BoardByScoreIndex()


class MarkerModel(Model):
    """A fact recorded once (`sk=SIGNUP#<code>` under a person's key): makes a repeated signal count once."""

    class Meta:
        table_name = "passaparola-referrals"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


# ------------------------------------------------------------------------------------------- rewards


class DueIndex(GlobalSecondaryIndex["RewardModel"]):
    class Meta:
        index_name = "due"
        projection = AllProjection()

    due = UnicodeAttribute(hash_key=True)
    release_at = UnicodeAttribute(range_key=True)


class RewardsByReferralIndex(GlobalSecondaryIndex["RewardModel"]):
    class Meta:
        index_name = "by_referral"
        projection = AllProjection()

    referral_code = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class RewardsByDayIndex(GlobalSecondaryIndex["RewardModel"]):
    """Accounting across customers: `day="reward#<UTC day>"`, `at` its creation (items written before have none)."""

    class Meta:
        index_name = "by_day"
        projection = AllProjection()

    day = UnicodeAttribute(hash_key=True)
    at = UnicodeAttribute(range_key=True)


class PointsByDayIndex(GlobalSecondaryIndex["PointsLedgerModel"]):
    """The same index holding points ledger lines: `day="points#<UTC day>"`."""

    class Meta:
        index_name = "by_day"
        projection = AllProjection()

    day = UnicodeAttribute(hash_key=True)
    at = UnicodeAttribute(range_key=True)


class RewardModel(Model):
    """A reward (`sk=REWARD#<id>`) in its customer's partition; `due` is set only while it awaits release."""

    class Meta:
        table_name = "passaparola-rewards"

    customer_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    id = UnicodeAttribute()
    campaign_id = UnicodeAttribute()
    referral_code = UnicodeAttribute()
    conversion_id = UnicodeAttribute(null=True)
    order_id = UnicodeAttribute(null=True)
    role = UnicodeAttribute()
    type = UnicodeAttribute()
    status = UnicodeAttribute()
    held = BooleanAttribute(default=False)
    spec = UnicodeAttribute()
    """The reward's terms (JSON) as they were when it was earned."""
    coupon_code = UnicodeAttribute(null=True)
    amount = NumberAttribute(null=True)
    currency = UnicodeAttribute(null=True)
    points = NumberAttribute(null=True)
    tier = NumberAttribute(null=True)
    reason = UnicodeAttribute()
    due = UnicodeAttribute(null=True)
    release_at = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    released_at = UnicodeAttribute(null=True)
    voided_at = UnicodeAttribute(null=True)
    reversed_at = UnicodeAttribute(null=True)
    not_reversed = NumberAttribute(null=True)
    payout_period = UnicodeAttribute(null=True)
    """`YYYY-MM` a released cash reward is paid in (its `PAYABLE#` line lists it; removed when reversed unpaid)."""
    day = UnicodeAttribute(null=True)
    at = UnicodeAttribute(null=True)
    """`clock.iso(created_at)`: the by_day index's sort key (one format, so that ranges compare as text)."""
    due_index = DueIndex()
    by_referral = RewardsByReferralIndex()
    by_day = RewardsByDayIndex()


class PayableIndex(GlobalSecondaryIndex["PayableLineModel"]):
    """The by_day index holding payout lines: `day="payout#<YYYY-MM>"`, `at=<hash>#<currency>#<sk>`."""

    class Meta:
        index_name = "by_day"
        projection = AllProjection()

    day = UnicodeAttribute(hash_key=True)
    at = UnicodeAttribute(range_key=True)


class PayableLineModel(Model):
    """A line of a month's payouts, read through the by_day index (`at=<hash>#<cur>#<sk>`, so a payout's lines are
    contiguous): a released cash reward's `PAYABLE#<reward>` item, written with the reward's release and taken out of
    the index (no `day`) by its unpaid reversal, or a clawback of a paid one refunded later (`CLAWBACK#<reward>`, a negative amount). Separate
    small items rather than an index on the rewards: DynamoDB adds one GSI per table update, and by_day was new."""

    class Meta:
        table_name = "passaparola-rewards"

    customer_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    day = UnicodeAttribute(null=True)
    at = UnicodeAttribute(null=True)
    amount = NumberAttribute()
    currency = UnicodeAttribute()
    status = UnicodeAttribute(null=True)
    reward_id = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute(null=True)
    payable = PayableIndex()


class PayoutModel(Model):
    """`sk=PAYOUT#<YYYY-MM>#<currency>` in the referrer's partition: whether that payout was settled (written once),
    and `changes`, raised by every reversal that takes a reward out of it before then (marking it paid is
    conditioned on the value read, so the amount paid is the amount computed)."""

    class Meta:
        table_name = "passaparola-rewards"

    customer_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    changes = NumberAttribute(null=True)
    paid_at = UnicodeAttribute(null=True)
    reference = UnicodeAttribute(null=True)
    amount = NumberAttribute(null=True)
    rewards = NumberAttribute(null=True)


class LedgerModel(Model):
    """One line of the append-only rewards ledger (`sk=LEDGER#<at>#<reward>#<event>`): never updated."""

    class Meta:
        table_name = "passaparola-rewards"

    customer_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    reward_id = UnicodeAttribute()
    event = UnicodeAttribute()
    type = UnicodeAttribute()
    amount = NumberAttribute(null=True)
    currency = UnicodeAttribute(null=True)
    points = NumberAttribute(null=True)
    coupon_code = UnicodeAttribute(null=True)
    reason = UnicodeAttribute()
    at = UnicodeAttribute()


class LedgerGuardModel(Model):
    """`sk=ENTRY#<reward>#<event>`: makes each ledger event happen once whatever the retries."""

    class Meta:
        table_name = "passaparola-rewards"

    customer_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class ImportMarkerModel(Model):
    """`sk=IMPORT#<name>`: this customer's row of that points import was applied (the points it added, when)."""

    class Meta:
        table_name = "passaparola-rewards"

    customer_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    points = NumberAttribute()
    at = UnicodeAttribute()


class PointsLedgerModel(Model):
    """One line of the append-only points ledger (`sk=POINTS#<at>#<id>`): never updated."""

    class Meta:
        table_name = "passaparola-rewards"

    customer_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    id = UnicodeAttribute()
    type = UnicodeAttribute()
    points = NumberAttribute()
    balance_after = NumberAttribute(null=True)
    pending_after = NumberAttribute(null=True)
    reason = UnicodeAttribute()
    source_id = UnicodeAttribute(null=True)
    at = UnicodeAttribute()
    day = UnicodeAttribute(null=True)
    by_day = PointsByDayIndex()


class EarnModel(Model):
    """What one order or event earned (`sk=EARN#<source>`): the basis of releases and refund reversals."""

    class Meta:
        table_name = "passaparola-rewards"

    customer_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    points = NumberAttribute()
    status = UnicodeAttribute()
    """pending | released | voided"""
    paid = NumberAttribute(default=0)
    reversed = NumberAttribute(default=0)
    month = UnicodeAttribute()
    at = UnicodeAttribute()


class LoyaltyRedemptionModel(Model):
    """A catalogue reward bought with points (`sk=REDEEM#<id>`)."""

    class Meta:
        table_name = "passaparola-rewards"

    customer_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    spec = UnicodeAttribute()
    """The LoyaltyRedemption as JSON."""


class StockModel(Model):
    """How many of a catalogue reward were redeemed (`id=stock#<campaign>#<reward>` in the campaigns table)."""

    class Meta:
        table_name = "passaparola-campaigns"

    id = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute(default="stock")
    redeemed = NumberAttribute(default=0)


class PointerModel(Model):
    """`id=program#loyalty` → the shop's one loyalty campaign (created with it, conditionally)."""

    class Meta:
        table_name = "passaparola-campaigns"

    id = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute(default="pointer")
    campaign_id = UnicodeAttribute()


# -------------------------------------------------------------------------------------------- orders


class OrderModel(Model):
    """A reported order: idempotency of `POST /v1/orders` (its outcome) and the state refunds need."""

    class Meta:
        table_name = "passaparola-orders"

    id = UnicodeAttribute(hash_key=True)
    customer_id = UnicodeAttribute()
    email_hash = UnicodeAttribute(null=True)
    amount = NumberAttribute()
    currency = UnicodeAttribute()
    refunded = NumberAttribute(default=0)
    conversion_id = UnicodeAttribute(null=True)
    referral_code = UnicodeAttribute(null=True)
    campaign_id = UnicodeAttribute(null=True)
    referred = BooleanAttribute(default=False)
    """Counted as a referred customer's revenue (LTV) rather than another customer's."""
    ltv_campaign_id = UnicodeAttribute(null=True)
    ltv_variant = UnicodeAttribute(null=True)
    """The program (and variant) whose referred customers' revenue this order counted in."""
    acquired_day = UnicodeAttribute(null=True)
    """The shop day its customer was acquired (first order): the cohort its revenue, and a refund, count in."""
    kind = UnicodeAttribute(default="order")
    outcome = UnicodeAttribute()
    """The JSON answer of the call that reported it, replayed to retries."""
    created_at = UnicodeAttribute()


class MessagesByCustomerIndex(GlobalSecondaryIndex["MessageModel"]):
    class Meta:
        index_name = "by_customer"
        projection = AllProjection()

    customer_id = UnicodeAttribute(hash_key=True)
    created = UnicodeAttribute(range_key=True)


class MessagesByCampaignIndex(GlobalSecondaryIndex["MessageModel"]):
    class Meta:
        index_name = "by_campaign"
        projection = AllProjection()

    campaign_id = UnicodeAttribute(hash_key=True)
    created = UnicodeAttribute(range_key=True)


class OutboxIndex(GlobalSecondaryIndex["MessageModel"]):
    class Meta:
        index_name = "outbox"
        projection = KeysOnlyProjection()

    outbox = UnicodeAttribute(hash_key=True)
    next_attempt_at = UnicodeAttribute(range_key=True)


class ProviderIdIndex(GlobalSecondaryIndex["MessageModel"]):
    class Meta:
        index_name = "by_provider_id"
        projection = KeysOnlyProjection()

    provider_message_id = UnicodeAttribute(hash_key=True)


class MessageModel(Model):
    """A message intent and its delivery (`id` = hash of campaign, customer and occasion: written once).

    `created` = `<created_at>#<id>` orders the customer's and the campaign's listings. While it still has
    to be delivered it carries `outbox="pending"` and `next_attempt_at`: the sparse index from which lost
    enqueues are re-sent.
    """

    class Meta:
        table_name = "passaparola-messages"

    id = UnicodeAttribute(hash_key=True)
    campaign_id = UnicodeAttribute(null=True)
    customer_id = UnicodeAttribute(null=True)
    created = UnicodeAttribute(null=True)
    trigger = UnicodeAttribute(null=True)
    occasion = UnicodeAttribute(null=True)
    reason = UnicodeAttribute(null=True)
    channel = UnicodeAttribute(null=True)
    locale = UnicodeAttribute(null=True)
    variant = UnicodeAttribute(null=True)
    to = UnicodeAttribute(null=True, attr_name="recipient")
    subject = UnicodeAttribute(null=True)
    body = UnicodeAttribute(null=True)
    text = UnicodeAttribute(null=True)
    coupon_code = UnicodeAttribute(null=True)
    points = NumberAttribute(null=True)
    unsubscribe_url = UnicodeAttribute(null=True)
    status = UnicodeAttribute(null=True)
    attempts = NumberAttribute(null=True)
    provider_message_id = UnicodeAttribute(null=True)
    error_code = UnicodeAttribute(null=True)
    error_message = UnicodeAttribute(null=True)
    lease_until = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute(null=True)
    sent_at = UnicodeAttribute(null=True)
    updated_at = UnicodeAttribute(null=True)
    unsubscribed_at = UnicodeAttribute(null=True)
    outbox = UnicodeAttribute(null=True)
    next_attempt_at = UnicodeAttribute(null=True)
    by_customer = MessagesByCustomerIndex()
    by_campaign = MessagesByCampaignIndex()
    outbox_index = OutboxIndex()
    by_provider_id = ProviderIdIndex()


class SuppressionModel(Model):
    """`id=suppressed#<keyed hash of the address>`: an email address that hard-bounced or complained. The sender
    cancels every later message to it (`suppressed`); written once, the first reason kept."""

    class Meta:
        table_name = "passaparola-messages"

    id = UnicodeAttribute(hash_key=True)
    reason = UnicodeAttribute()
    detail = UnicodeAttribute(null=True)
    message_id = UnicodeAttribute(null=True)
    at = UnicodeAttribute()


class JobStateModel(Model):
    """A re-engagement job's checkpoint (`id=job#<name>`): the last day, or feed position, it completed."""

    class Meta:
        table_name = "passaparola-messages"

    id = UnicodeAttribute(hash_key=True)
    last_day = UnicodeAttribute(null=True)
    feed_after = UnicodeAttribute(null=True)
    updated_at = UnicodeAttribute(null=True)


class MessageStatsModel(Model):
    """A re-engagement campaign's results per variant (`id=stats#<campaign>#<variant>`), moved with ADD."""

    class Meta:
        table_name = "passaparola-messages"

    id = UnicodeAttribute(hash_key=True)
    queued = NumberAttribute(null=True)
    sent = NumberAttribute(null=True)
    failed = NumberAttribute(null=True)
    cancelled = NumberAttribute(null=True)
    outcome_unknown = NumberAttribute(null=True)
    unsubscribed = NumberAttribute(null=True)
    redeemed = NumberAttribute(null=True)


class ContactModel(Model):
    """What messaging keeps about a customer (`sk=contact`): recent sends (frequency cap), welcomed once.

    Beside the record, not in it: a message never conflicts with an order's write of the record.
    """

    class Meta:
        table_name = "passaparola-customers"

    customer_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default="contact")
    version = NumberAttribute(null=True)
    sent = UnicodeAttribute(null=True)
    """JSON list of the ISO times of the last messages queued, any campaign (newest last, at most 100)."""
    welcomed_at = UnicodeAttribute(null=True)


class PassModel(Model):
    """A wallet pass (`sk="pass"`): whose it is and when it last changed (the PassKit "updated since" tag)."""

    class Meta:
        table_name = "passaparola-passes"

    serial = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True, default="pass")
    customer_id = UnicodeAttribute()
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    """ISO time with milliseconds: compared as a string with the tag a device sends back."""
    google_object_id = UnicodeAttribute(null=True)


class ByDeviceIndex(GlobalSecondaryIndex["RegistrationModel"]):
    """The passes a device registered (sparse: only registrations carry `device`)."""

    class Meta:
        index_name = "by_device"
        projection = KeysOnlyProjection()

    device = UnicodeAttribute(hash_key=True)
    serial = UnicodeAttribute(range_key=True)


class RegistrationModel(Model):
    """A device registered for a pass's updates (`sk="reg#<device library id>"`), with its APNs push token."""

    class Meta:
        table_name = "passaparola-passes"

    serial = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    device = UnicodeAttribute()
    push_token = UnicodeAttribute()
    registered_at = UnicodeAttribute()
    by_device = ByDeviceIndex()


_TABLES: list[tuple[type[Model], str]] = [
    (CampaignModel, "campaigns_table"),
    (CodeBatchModel, "campaigns_table"),
    (CodePatternModel, "campaigns_table"),
    (CodeModel, "codes_table"),
    (RedemptionModel, "redemptions_table"),
    (OrderLockModel, "redemptions_table"),
    (CustomerModel, "customers_table"),
    (CustomerCampaignModel, "customers_table"),
    (TimerModel, "customers_table"),
    (LotModel, "customers_table"),
    (MembershipModel, "customers_table"),
    (SegmentChangeModel, "customers_table"),
    (SegmentModel, "customers_table"),
    (ConfigModel, "customers_table"),
    (CouponMirrorModel, "customers_table"),
    (ReferralMirrorModel, "customers_table"),
    (PointsLedgerModel, "rewards_table"),
    (EarnModel, "rewards_table"),
    (LoyaltyRedemptionModel, "rewards_table"),
    (StockModel, "campaigns_table"),
    (PointerModel, "campaigns_table"),
    (ApiKeyModel, "api_keys_table"),
    (AuditModel, "audit_table"),
    (WebhookModel, "webhooks_table"),
    (WebhookDeliveryModel, "webhooks_table"),
    (EventModel, "events_table"),
    (LinkModel, "referrals_table"),
    (LinkOwnerModel, "referrals_table"),
    (LinkFriendModel, "referrals_table"),
    (TouchModel, "referrals_table"),
    (IdentityModel, "referrals_table"),
    (ConversionModel, "referrals_table"),
    (CounterModel, "referrals_table"),
    (StatsModel, "referrals_table"),
    (BoardModel, "referrals_table"),
    (MarkerModel, "referrals_table"),
    (FriendCouponModel, "referrals_table"),
    (RewardModel, "rewards_table"),
    (LedgerModel, "rewards_table"),
    (LedgerGuardModel, "rewards_table"),
    (PayableLineModel, "rewards_table"),
    (PayoutModel, "rewards_table"),
    (ImportMarkerModel, "rewards_table"),
    (OrderModel, "orders_table"),
    (MessageModel, "messages_table"),
    (JobStateModel, "messages_table"),
    (SuppressionModel, "messages_table"),
    (MessageStatsModel, "messages_table"),
    (ContactModel, "customers_table"),
    (PassModel, "passes_table"),
    (RegistrationModel, "passes_table"),
    (IdempotencyModel, "idempotency_table"),
]
_connection: Connection | None = None


_sessions = threading.local()


def _shared_session(env_vars: dict[str, tuple[Any, Any, Any, Any]] | None = None) -> botocore.session.Session:
    """One botocore session per thread for every model's connection.

    pynamodb gives each model's connection its own session, so the first request of a cold container built one
    session per table it touched, each parsing botocore's DynamoDB model and endpoint files again (a cold order:
    8 sessions). Clients made from one session share its loaded files. Per thread, as pynamodb's own sessions are:
    creating clients from one session is not thread-safe, and the local stack serves requests on threads.
    """
    session = getattr(_sessions, "session", None)
    if session is None:
        session = _sessions.session = botocore.session.get_session(env_vars)
    return session


pynamodb.connection.base.get_session = _shared_session


def bind(settings: Settings | None = None) -> None:
    """Point every model at the configured tables and endpoint (called at import and by tests)."""
    global _connection
    s = settings or get_settings()
    for model, attr in _TABLES:
        _bind_one(model, attr, s)
    _connection = None


def _bind_one(model: type[Model], attr: str, s: Settings) -> None:
    model.Meta.table_name = getattr(s, attr)
    model.Meta.region = s.aws_region
    model.Meta.host = s.dynamodb_endpoint_url
    model.Meta.max_pool_connections = 64
    model._connection = None


def register(model: type[Model], attr: str) -> None:
    """A model declared in its own module (passaparola/data/shards.py): bound now and by every later `bind`."""
    _TABLES.append((model, attr))
    _bind_one(model, attr, get_settings())


def connection() -> Connection:
    """The connection transactions run on (pynamodb's TransactGet/TransactWrite need one)."""
    global _connection
    if _connection is None:
        s = get_settings()
        _connection = Connection(region=s.aws_region, host=s.dynamodb_endpoint_url, max_pool_connections=64)
    return _connection


bind()
