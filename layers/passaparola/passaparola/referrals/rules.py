"""The conversion decision as pure functions over plain data: does this order count, and may it pay?

Blocks end the referral (no reward). Flags hold the rewards for a person to review. Every decision
carries stable reason codes (docs/referrals.md).
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from disposable_email_domains import blocklist

from passaparola.campaigns.models import ReferralCampaign

Status = Literal["converted", "flagged", "blocked", "attributed"]


@dataclass(frozen=True)
class Friend:
    customer_id: str
    email_hash: str | None
    email_domain: str | None
    earlier_orders: int
    """Orders of this customer id, or of this email under any id, before this one."""
    referred_by: str | None
    fingerprints: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Referrer:
    customer_id: str
    code: str
    email_hash: str | None
    fingerprints: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Counts:
    """How many conversions already took these places (read with the decision)."""

    in_period: int = 0
    this_hour: int = 0
    from_ip_today: int = 0


@dataclass(frozen=True)
class Decision:
    status: Status
    reasons: list[str] = field(default_factory=list)

    @property
    def pays(self) -> bool:
        return self.status in ("converted", "flagged")


def decide(
    program: ReferralCampaign,
    referrer: Referrer,
    friend: Friend,
    event: str,
    amount: int,
    currency: str,
    counts: Counts,
    touch_verified: bool = True,
) -> Decision:
    """`touch_verified` is False when the only attribution is a touch a browser reported (public key)."""
    blocks = _blocks(program, referrer, friend, event, amount, currency)
    if blocks:
        return Decision("blocked", blocks)
    if event != program.conversion.event:
        return Decision("attributed")
    flags = _flags(program, referrer, friend, counts)
    if not touch_verified:
        flags.append("unverified_touch")
    return Decision("flagged", flags) if flags else Decision("converted")


def _blocks(
    program: ReferralCampaign, referrer: Referrer, friend: Friend, event: str, amount: int, currency: str
) -> list[str]:
    if not program.enabled:
        return ["campaign_disabled"]
    reasons: list[str] = []
    same_email = bool(friend.email_hash) and friend.email_hash == referrer.email_hash
    if friend.customer_id == referrer.customer_id or same_email:
        reasons.append("self_referral")
    if friend.referred_by is not None:
        reasons.append("already_referred")
    converts = event == program.conversion.event
    if converts and event == "first_order" and friend.earlier_orders > 0:
        reasons.append("not_first_order")
    minimum, wanted = program.conversion.min_order_amount, program.conversion.currency
    if converts and ((wanted and currency != wanted) or (minimum is not None and amount < minimum)):
        reasons.append("below_minimum")
    return reasons


def _flags(program: ReferralCampaign, referrer: Referrer, friend: Friend, counts: Counts) -> list[str]:
    reasons: list[str] = []
    if friend.fingerprints & referrer.fingerprints:
        reasons.append("same_ip_as_referrer")
    if counts.from_ip_today >= program.fraud.max_conversions_per_ip:
        reasons.append("ip_reused")
    if program.fraud.flag_disposable_emails and friend.email_domain and is_disposable(friend.email_domain):
        reasons.append("disposable_email")
    if counts.this_hour >= program.fraud.max_conversions_per_hour:
        reasons.append("velocity")
    cap = program.limits.max_rewarded_per_referrer
    if cap is not None and counts.in_period >= cap:
        reasons.append("referrer_cap_reached")
    return reasons


def is_disposable(domain: str) -> bool:
    """The domain or any parent domain is a known throwaway-mail provider."""
    parts = domain.lower().split(".")
    return any(".".join(parts[i:]) in blocklist for i in range(len(parts) - 1))


def period_bucket(program: ReferralCampaign, at: datetime) -> str:
    """Fixed windows of `limits.period_days` since the epoch: the referrer-cap counter's time bucket."""
    days = int(at.timestamp() // 86400)
    return str(days // program.limits.period_days)


def hour_bucket(at: datetime) -> str:
    return at.strftime("%Y%m%d%H")


def day_bucket(at: datetime) -> str:
    return at.strftime("%Y%m%d")


def boards(at: datetime) -> list[str]:
    """The leaderboard periods a conversion at this time counts in."""
    return ["all", at.strftime("%Y"), at.strftime("%Y-%m")]


def in_window(touched_at: datetime, order_at: datetime, window: timedelta) -> bool:
    """A touch counts when it is less than the window older than the order (later touches count too)."""
    return touched_at >= order_at - window
