"""Referral links, touches, identities, friends' coupons, conversions and their fraud counters (referrals table)."""

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute, UnicodeSetAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from passaparola.data.models import register


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


class MarkerModel(Model):
    """A fact recorded once (`sk=SIGNUP#<code>` under a person's key): makes a repeated signal count once."""

    class Meta:
        table_name = "passaparola-referrals"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


register(LinkModel, "referrals_table")
register(LinkOwnerModel, "referrals_table")
register(LinkFriendModel, "referrals_table")
register(TouchModel, "referrals_table")
register(IdentityModel, "referrals_table")
register(FriendCouponModel, "referrals_table")
register(ConversionModel, "referrals_table")
register(CounterModel, "referrals_table")
register(MarkerModel, "referrals_table")
