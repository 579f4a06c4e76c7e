"""The customer record (customers table): the customer, its timers and points lots, the mirrors of its coupons
and referral links, its per-campaign redemption counts, the shop's engagement settings."""

from typing import Any

from pynamodb.attributes import BooleanAttribute, MapAttribute, NumberAttribute, UnicodeAttribute, UnicodeSetAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from passaparola.data.models import register


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


class ConfigModel(Model):
    """Shop-wide settings (`customer_id=config`, `sk=engagement`): JSON `spec`."""

    class Meta:
        table_name = "passaparola-customers"

    customer_id = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    spec = UnicodeAttribute()
    updated_at = UnicodeAttribute()


register(CustomerModel, "customers_table")
register(TimerModel, "customers_table")
register(LotModel, "customers_table")
register(CouponMirrorModel, "customers_table")
register(ReferralMirrorModel, "customers_table")
register(CustomerCampaignModel, "customers_table")
register(ConfigModel, "customers_table")
