"""The shopper's side: the programs explained to a guest, and a member's own referral card.

Both answer a browser (publishable key), so they say only what a shopper may know: words in their language,
never limits, fraud rules, variants or other customers' personal data.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from pydantic import TypeAdapter, ValidationError

from passaparola import clock, i18n
from passaparola.campaigns.models import LoyaltyCampaign, ReferralCampaign
from passaparola.data import campaigns as campaign_store
from passaparola.data import conversions as conversion_store
from passaparola.data import customers as customer_store
from passaparola.data import links as link_store
from passaparola.data import rewards as reward_store
from passaparola.errors import NoReferralProgram
from passaparola.loyalty import tokens
from passaparola.loyalty.models import (
    ORDER_EVENT,
    CatalogueItem,
    EarningRule,
    LoyaltyTier,
    PanelDisplay,
    PointsRewardGrant,
    RecognitionReward,
)
from passaparola.referrals import links, share
from passaparola.referrals.models import CreateReferral, Reward, RewardSpec
from passaparola.shopper.models import (
    FriendStatus,
    MyFriend,
    MyReferral,
    MyReward,
    PublicEarning,
    PublicExpiry,
    PublicLoyalty,
    PublicProgram,
    PublicRefereeReward,
    PublicReferral,
    PublicReward,
    PublicRewardText,
    PublicTier,
)

CACHE_AGE = timedelta(seconds=60)
FRIENDS = 50


@dataclass(frozen=True)
class Programs:
    loyalty: LoyaltyCampaign | None
    referral: ReferralCampaign | None
    read_at: datetime


_cached: list[Programs] = []


def programs() -> Programs:
    """The switched-on loyalty program and the active referral program, read at most once a minute per container
    (the answer is public and cached 60 s by browsers too). The newest switched-on referral program is the active one.

    Aged by the product's clock, so a test that moves it on sees a change at once; a clock moved back reads again."""
    now = clock.now()
    if _cached and _cached[0].read_at <= now < _cached[0].read_at + CACHE_AGE:
        return _cached[0]
    loyalty = campaign_store.loyalty_program()
    referrals = [c for c in campaign_store.enabled_of_type("referral") if isinstance(c, ReferralCampaign)]
    found = Programs(
        loyalty=loyalty if loyalty is not None and loyalty.enabled else None,
        referral=max(referrals, key=lambda c: c.created_at) if referrals else None,
        read_at=now,
    )
    _cached[:] = [found]
    return found


def forget_cache() -> None:
    _cached.clear()


# ------------------------------------------------------------------------------------------ the program


def program(locale: str | None) -> PublicProgram:
    found = programs()
    lang = i18n.language(locale)
    display = (found.loyalty.display if found.loyalty else None) or PanelDisplay()
    texts = {code: i18n.text("launcher", code) for code in sorted(i18n.LANGUAGES)} | display.launcher_text
    return PublicProgram(
        locale=lang,
        loyalty=_loyalty(found.loyalty, lang) if found.loyalty else None,
        referral=_referral(found.referral, lang) if found.referral else None,
        display=display.model_copy(update={"launcher_text": texts}),
    )


def points(value: int, lang: str) -> str:
    return i18n.text("point_one", lang) if value == 1 else i18n.text("reward_points", lang, points=value)


def _loyalty(program: LoyaltyCampaign, lang: str) -> PublicLoyalty:
    now = clock.now()
    rules = [
        r
        for r in program.earning_rules
        if (not r.starts_at or r.starts_at <= now) and not (r.ends_at and r.ends_at <= now)
    ]
    expiry = program.expiry
    expiry_text = (
        i18n.text("expiry_never", lang)
        if expiry.policy == "never"
        else i18n.text(f"expiry_{expiry.policy}", lang, days=expiry.days)
    )
    return PublicLoyalty(
        campaign_id=program.id,
        earning=[_earning(r, lang) for r in rules],
        tiers=[_tier(t, lang) for t in program.sorted_tiers()],
        rewards=[_catalogue(r, lang) for r in program.rewards],
        expiry=PublicExpiry(policy=expiry.policy, days=expiry.days, text=expiry_text),
        signup_points=sum(int(r.points or 0) for r in rules if r.event == "signup"),
    )


def _earning(rule: EarningRule, lang: str) -> PublicEarning:
    if rule.event == ORDER_EVENT:
        assert rule.points_per_unit and rule.unit_amount
        amount = share.money(rule.unit_amount, rule.currency or "", lang)
        text = i18n.text("earn_order", lang, points=points(rule.points_per_unit, lang), amount=amount)
    else:
        text = i18n.text("earn_event", lang, points=points(int(rule.points or 0), lang), event=_event(rule.event, lang))
    return PublicEarning(
        event=rule.event,
        text=text,
        points=rule.points,
        points_per_unit=rule.points_per_unit,
        unit_amount=rule.unit_amount,
        currency=rule.currency,
    )


def _event(event: str, lang: str) -> str:
    """A known event in words; a custom one (`custom:newsletter_signup`) by its name."""
    key = f"event_{event}"
    if key in i18n.TEXTS[lang]:
        return i18n.text(key, lang)
    return event.split(":", 1)[-1].replace("_", " ")


def _number(value: float, lang: str) -> str:
    return f"{Decimal(str(value)).normalize():f}".replace(".", i18n.text("decimal_separator", lang))


def _tier(tier: LoyaltyTier, lang: str) -> PublicTier:
    perks = []
    if tier.multiplier > 1:
        perks.append(i18n.text("perk_multiplier", lang, multiplier=_number(tier.multiplier, lang)))
    if tier.entry_reward is not None:
        perks.append(i18n.text("perk_entry", lang, reward=_words(tier.entry_reward, lang)))
    return PublicTier(name=tier.name, min_points=tier.min_points, multiplier=tier.multiplier, perks=perks)


def _catalogue(item: CatalogueItem, lang: str) -> PublicReward:
    return PublicReward(
        id=item.id,
        name=item.name,
        description=item.description,
        cost=item.cost,
        type=item.reward.type,
        min_tier=item.min_tier,
        text=_words(item.reward, lang, item.name),
    )


def _words(reward: Any, lang: str, name: str | None = None) -> str:
    """Any reward a program names, in words: coupons, credit and points as the referral texts say them."""
    if isinstance(reward, RecognitionReward):
        return reward.note or name or reward.kind
    if isinstance(reward, PointsRewardGrant):
        return points(reward.points, lang)
    return share.describe(reward, lang)


def _referral(program: ReferralCampaign, lang: str) -> PublicReferral:
    default_shop = i18n.TEXTS["en"]["our_shop"]
    referee, referrer = program.referee_reward, program.referrer_reward
    return PublicReferral(
        campaign_id=program.id,
        shop_name=i18n.text("our_shop", lang) if program.shop_name == default_shop else program.shop_name,
        referee_reward=PublicRefereeReward(
            type=referee.type,
            text=share.describe(referee, lang),
            when=getattr(referee, "when", None) or "after_conversion",
        ),
        referrer_reward=PublicRewardText(type=referrer.type, text=share.describe(referrer, lang)),
    )


# ------------------------------------------------------------------------------------- my referral card


def my_referral(claim: tokens.Claim, base_url: str) -> tuple[MyReferral, bool]:
    """The customer's link in the active referral program, created on first call (True), with their friends
    and the rewards they earned. Reads: the customer, the link (as `POST /v1/referrals`), the link's conversions,
    its signups, its rewards, and the friends' first names in one batch (the program is the cached one)."""
    referral_program = programs().referral
    if referral_program is None:
        raise NoReferralProgram()
    record = customer_store.read(claim.customer_id)
    tokens.check_epoch(claim.epoch, record.token_epoch if record else None)
    locale = record.locale if record is not None and not record.erased_at else None
    name = _first_name(record.name) if record is not None and record.name and not record.erased_at else None
    email = record.email if record is not None and not record.erased_at else None
    request = CreateReferral(customer_id=claim.customer_id, campaign_id=referral_program.id, name=name, email=email)
    referral, created = links.create(request, base_url)
    conversions = conversion_store.of_code(referral.code, FRIENDS)
    earned = [
        (r, terms)
        for r, terms in reward_store.of_referral_with_terms(referral.code)
        if r.customer_id == claim.customer_id and r.role in ("referrer", "tier")
    ]
    released = {r.conversion_id for r, _ in earned if r.status == "released" and r.conversion_id}
    people = customer_store.records([c.customer_id for c in conversions]) if conversions else {}
    joined = link_store.friends(referral.code)
    friends = []
    for c in conversions:
        status = _friend_status(c.status, c.id in released)
        friend = people.get(c.customer_id)
        friends.append(MyFriend(name=_shown(friend, locale), status=status, at=c.created_at))
        joined.pop(f"CUST#{c.customer_id}", None)
        if friend is not None and friend.email_hash:
            joined.pop(f"EMAIL#{friend.email_hash}", None)
    anonymous = i18n.text("a_friend", locale)  # a signup is kept without a name or an email
    friends += [MyFriend(name=anonymous, status="joined", at=at) for at in joined.values()]
    friends = sorted(friends, key=lambda f: f.at, reverse=True)[:FRIENDS]
    lang = i18n.language(locale)
    return (
        MyReferral(
            campaign_id=referral.campaign_id,
            code=referral.code,
            url=referral.share_url,
            qr_url=referral.qr_url,
            share=referral.share,
            counts=referral.counts,
            friends=friends,
            rewards=[
                MyReward(
                    role=r.role,
                    type=r.type,
                    text=_reward_text(terms, r.type, r.points, lang),
                    status=r.status,
                    coupon_code=r.coupon_code if r.status == "released" else None,
                    points=r.points,
                    at=r.created_at,
                )
                for r, terms in earned
            ],
        ),
        created,
    )


def _friend_status(conversion_status: str, rewarded: bool) -> FriendStatus:
    if conversion_status == "converted":
        return "rewarded" if rewarded else "ordered"
    if conversion_status == "flagged":
        return "flagged"
    if conversion_status in ("blocked", "rejected"):
        return "blocked"
    return "joined"  # refunded: they came through the link, nothing is owed for that order


def _first_name(full: str) -> str | None:
    parts = full.split()
    return parts[0][:100] if parts else None


def mask_email(email: str) -> str:
    """`mario.rossi@gmail.com` → `m•••@gmail.com`: enough for the referrer to recognise a friend, no more."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}•••@{domain}" if domain else "•••"


def _shown(friend: Any, locale: str | None) -> str:
    if friend is None or friend.erased_at:
        return i18n.text("a_friend", locale)
    if friend.name and (first := _first_name(friend.name)):
        return first
    if friend.email:
        return mask_email(friend.email)
    return i18n.text("a_friend", locale)


_REWARD: TypeAdapter[RewardSpec] = TypeAdapter(Reward)


def _reward_text(terms: dict[str, object], kind: str, points_given: int | None, lang: str) -> str:
    try:
        return share.describe(_REWARD.validate_python(terms), lang)
    except ValidationError:  # a tier reward's terms, or terms saved by an older version
        if kind == "points" and points_given is not None:
            return points(points_given, lang)
        return i18n.text("reward_coupon" if kind == "coupon" else "reward_discount", lang)
