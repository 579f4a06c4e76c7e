"""The friend's first-order offer: what a friend who came through a share link sees, and the coupon they get.

The coupon is single use, bound to the friend's email (its keyed hash; the email itself is not stored) and, at
its first redemption, to their customer id; the order that redeems it converts the referral (source
`friend_offer`) with every fraud rule judged there, as for any order.

Anyone holding the public key and a share code can call this with any email, so the answer never depends on the
email's past (ordered here, referred before, the referrer's own): every email gets a coupon and the same answer. The
redemption refuses what the email's past forbids — a customer who ordered (`not_new_customer`), the referrer's own
customer id (`customer_not_allowed`, the id travels on the code) — and the order judges the conversion.
"""

from datetime import timedelta

from aws_lambda_powertools.metrics import MetricUnit

from passaparola import clock, i18n
from passaparola.campaigns.models import ReferralCampaign
from passaparola.coupons import codes
from passaparola.coupons.models import Code, normalize_code
from passaparola.coupons.rules import code_expires_at
from passaparola.data import campaigns as campaign_store
from passaparola.data import friends as store
from passaparola.data import links as link_store
from passaparola.data import stats
from passaparola.errors import CampaignDisabled, Conflict, NotFound, OfferAfterConversion
from passaparola.observability import metrics
from passaparola.referrals import identity, links, rewards, share
from passaparola.referrals.models import (
    CouponReward,
    FriendCoupon,
    FriendOffer,
    FriendRequest,
    FriendReward,
    OfferReward,
    ReferralProgram,
    RewardSpec,
    RewardWhen,
)

CODE_ATTEMPTS = 8
CODE_PREFIX = "F-"


def _program_of(code: str) -> tuple[link_store.Link, ReferralCampaign]:
    normalized = normalize_code(code)
    link = link_store.find(normalized) if len(normalized) <= 64 else None
    program = campaign_store.get_cached(link.campaign_id) if link else None
    if link is None or not isinstance(program, ReferralCampaign):
        raise NotFound("No such referral code.", {"code": normalized})
    return link, program


def when_of(reward: RewardSpec) -> RewardWhen:
    """When the friend gets their reward: only a coupon can come before the order."""
    return reward.given_when if isinstance(reward, CouponReward) else "after_conversion"


def _shop_name(program: ReferralCampaign, locale: str | None) -> str:
    default = ReferralProgram.model_fields["shop_name"].default
    return i18n.text("our_shop", locale) if program.shop_name == default else program.shop_name


def _first_name(name: str | None) -> str | None:
    parts = name.split() if name else []
    return parts[0] if parts else None


def offer(code: str, locale: str | None) -> FriendOffer:
    """What the friend is offered in `locale`; a switched-off program offers nothing (`active: false`)."""
    link, program = _program_of(code)
    referee, _ = program.rewards_of(link.variant)
    return FriendOffer(
        code=link.code,
        referrer_name=_first_name(link.name),
        shop_name=_shop_name(program, locale),
        reward=OfferReward(type=referee.type, text=share.describe(referee, locale), when=when_of(referee)),
        active=program.enabled,
    )


def claim(code: str, request: FriendRequest) -> tuple[FriendCoupon, bool]:
    """The friend's coupon for this email: new (True), or the one this email already has here (False; the API
    answers both alike)."""
    link, program = _program_of(code)
    if not program.enabled:
        raise CampaignDisabled(details={"campaign_id": program.id})
    referee, _ = program.rewards_of(link.variant)
    if not isinstance(referee, CouponReward) or referee.given_when != "first_order":
        raise OfferAfterConversion(details={"campaign_id": program.id})
    email_hash = identity.email_hash(request.email)
    known = store.coupon_of(email_hash, program.id)
    if known is not None:
        return _answer(known, request), False
    coupon = _issue(link, program, referee, email_hash)
    if coupon is None:  # a concurrent call for the same email won
        again = store.coupon_of(email_hash, program.id)
        assert again is not None
        return _answer(again, request), False
    links.record_signal(link, program, "signup", request.email, None, verified=False)  # a browser's claim
    metrics.add_metric(name="FriendCouponsIssued", unit=MetricUnit.Count, value=1)
    return _answer(coupon, request), True


def _issue(
    link: link_store.Link, program: ReferralCampaign, referee: CouponReward, email_hash: str
) -> store.FriendCoupon | None:
    """Write the code and the email's coupon at once; None when this email got one meanwhile."""
    assert referee.campaign_id, "the program's set-up gives every coupon reward its issuing campaign"
    issuer = rewards.issuer_of(referee.campaign_id)
    now = clock.now()
    expires_at = now + timedelta(days=program.attribution.window_days)
    effective = min(d for d in (expires_at, code_expires_at(issuer.rules, now)) if d is not None)
    for _ in range(CODE_ATTEMPTS):
        code = Code(
            code=codes.generate(codes.parse_pattern(None, CODE_PREFIX), 1)[0],
            campaign_id=issuer.id,
            created_at=now,
            issued_at=now,
            expires_at=expires_at,
            referral_code=link.code,
            bound_email_hash=email_hash,
            referrer_id=link.customer_id,
        )
        code._reward_stats = stats.reward_stats(program.id, link.variant, rewards.expected_discount(referee))
        try:
            store.issue(email_hash, program.id, code, issuer, effective)
        except store.CodeTaken:
            continue
        except store.AlreadyIssued:
            return None
        return store.FriendCoupon(code.code, issuer.id, link.code, effective, now)
    raise Conflict("Could not draw a free coupon code; retry.")


def _answer(coupon: store.FriendCoupon, request: FriendRequest) -> FriendCoupon:
    """The coupon in the terms of the campaign that issued it (the program's reward may have changed since)."""
    issuer = rewards.issuer_of(coupon.campaign_id)
    terms = CouponReward.model_construct(type="coupon", discount=issuer.discount, currency=issuer.rules.currency)
    return FriendCoupon(
        code=coupon.code,
        campaign_id=coupon.campaign_id,
        referral_code=coupon.referral_code,
        email=request.email,
        expires_at=coupon.expires_at,
        reward=FriendReward(type="coupon", text=share.describe(terms, request.locale)),
        discount=issuer.discount,
    )
