"""Referral links: create a referrer's code, follow a shared link, track storefront signals, show a referral."""

from dataclasses import dataclass

from aws_lambda_powertools.metrics import MetricUnit

from passaparola import clock
from passaparola.campaigns.models import ReferralCampaign
from passaparola.coupons.models import normalize_code
from passaparola.coupons.qr import qr_svg
from passaparola.data import campaigns as campaign_store
from passaparola.data import conversions as conversion_store
from passaparola.data import customers as customer_store
from passaparola.data import links as store
from passaparola.data import rewards as reward_store
from passaparola.data import stats
from passaparola.errors import CampaignDisabled, Conflict, NotFound
from passaparola.observability import logger, metrics
from passaparola.referrals import identity, share
from passaparola.referrals.models import CreateReferral, Referral, ReferralView, Tracked, TrackRequest
from passaparola.referrals.program import get_referral
from passaparola.settings import get_settings

CODE_ATTEMPTS = 8


def _referral(program: ReferralCampaign, link: store.Link, base_url: str) -> Referral:
    share_url = f"{base_url}/r/{link.code}"
    return Referral(
        code=link.code,
        campaign_id=link.campaign_id,
        customer_id=link.customer_id,
        name=link.name,
        variant=link.variant,
        share_url=share_url,
        landing_url=share.landing(program, link.code),
        qr_url=f"{share_url}/qr",
        share=share.texts(program, link.variant, link.name, share_url, _locale_of(link.customer_id)),
        counts=link.counts,
        created_at=link.created_at,
    )


def _locale_of(customer_id: str) -> str | None:
    """The referrer's locale (their profile's), for the texts the product adds to their share texts."""
    record = customer_store.read(customer_id)
    return record.locale if record is not None and not record.erased_at else None


def create(request: CreateReferral, base_url: str) -> tuple[Referral, bool]:
    """The customer's code in the program: new (True) or the one they already have (False)."""
    program = get_referral(request.campaign_id)
    if existing := store.owned_code(request.customer_id, program.id):
        return _referral(program, store.get(existing), base_url), False
    if not program.enabled:
        raise CampaignDisabled(details={"campaign_id": program.id})
    for _ in range(CODE_ATTEMPTS):
        link = store.Link(
            code=identity.new_referral_code(request.name),
            campaign_id=program.id,
            customer_id=request.customer_id,
            name=request.name,
            email_hash=identity.email_hash(request.email) if request.email else None,
            variant=share.assign_variant(program, request.customer_id),
            created_at=clock.now(),
            counts=store.ReferralCounts(),
        )
        try:
            store.create(link, identity.fingerprints(request.ip, request.user_agent))
        except store.CodeTaken:
            continue
        except store.OwnerHasLink:
            code = store.owned_code(request.customer_id, program.id)
            assert code is not None
            return _referral(program, store.get(code), base_url), False
        metrics.add_metric(name="ReferralLinksCreated", unit=MetricUnit.Count, value=1)
        return _referral(program, link, base_url), True
    raise Conflict("Could not draw a free referral code; retry.")


@dataclass(frozen=True)
class Redirect:
    location: str
    code: str | None


def follow(code: str, ip: str | None, user_agent: str | None) -> Redirect:
    """Where a shared link leads: the landing page with `ref` (the click counted), or the shop's home."""
    normalized = normalize_code(code)
    fingerprint = identity.most_specific(identity.fingerprints(ip, user_agent))
    link = store.count(normalized, "clicks", clock.now(), fingerprint) if len(normalized) <= 64 else None
    fallback = get_settings().shop_url or "/"
    if link is None:
        return Redirect(fallback, None)
    program = campaign_store.get_cached(link.campaign_id)
    if not isinstance(program, ReferralCampaign) or not program.enabled:
        return Redirect(share.home(program.landing_url) if isinstance(program, ReferralCampaign) else fallback, None)
    store.funnel_moved(None, program.id, link.variant, link.created_at, _before(link, "clicks"), store.raw_counts(link))
    _mark_shared(link.customer_id)
    metrics.add_metric(name="ReferralClicks", unit=MetricUnit.Count, value=1)
    return Redirect(share.landing(program, link.code), link.code)


def _before(link: store.Link, field: str) -> dict[str, int]:
    """The link's counters before the one increment `count` just made (it returns them after)."""
    before = store.raw_counts(link)
    before[field] -= 1
    return before


def qr(code: str, base_url: str) -> str:
    link = store.get(normalize_code(code))
    return qr_svg(f"{base_url}/r/{link.code}")


def track(request: TrackRequest, verified: bool = False) -> Tracked:
    """A storefront signal: count it on the link and, for a signup, remember the person for attribution.

    `verified`: reported by the shop's backend (secret key). A browser (public key) can claim any email, so
    a conversion resting only on a browser-reported touch is held for review (`unverified_touch`).
    """
    code = normalize_code(request.ref)
    link = store.find(code)
    if link is None:
        raise NotFound("No such referral code.", {"ref": code})
    program = campaign_store.get_cached(link.campaign_id)
    if not isinstance(program, ReferralCampaign) or not program.enabled:
        raise CampaignDisabled(details={"campaign_id": link.campaign_id})
    record_signal(link, program, request.type, request.email, request.customer_id, verified)
    return Tracked(type=request.type, ref=code, campaign_id=program.id)


def record_signal(
    link: store.Link,
    program: ReferralCampaign,
    kind: str,
    email: str | None,
    customer_id: str | None,
    verified: bool,
) -> None:
    """Count a visit or a signup on a link already read; a signup also remembers the person for attribution."""
    field = "visits" if kind == "visit" else "signups"
    now = clock.now()
    keys = store.person_keys(identity.email_hash(email) if email else None, customer_id)
    if kind == "visit" or store.first_signup(keys[0], link.code):
        counted = store.count(link.code, field, now)
        if counted is not None:
            after = store.raw_counts(counted)
            store.funnel_moved(None, program.id, link.variant, link.created_at, _before(counted, field), after)
        if kind == "signup":  # the referrer's card lists them (`joined`) until they order
            store.friend_joined(link.code, keys[0], now)
    if kind == "signup":
        store.touch(keys, program.id, link.code, now, now - program.attribution_window, verified)
    metrics.add_metric(name=f"Referral{field.capitalize()}", unit=MetricUnit.Count, value=1)


def view(code: str, base_url: str) -> ReferralView:
    link = store.get(normalize_code(code))
    program = get_referral(link.campaign_id)
    referral = _referral(program, link, base_url)
    return ReferralView(
        **referral.model_dump(),
        conversions=conversion_store.of_code(link.code),
        rewards=reward_store.of_referral(link.code),
    )


_MARKED: dict[str, str] = {}
"""Referrers this container has seen marked, with the month: their next clicks of the month read nothing."""
MARKED_KEPT = 10_000


def _mark_shared(customer_id: str) -> None:
    """The referral rate's `shared` mark of the referrer; a failure is logged, the click still redirects."""
    now = clock.now()
    month = stats.month_of(now)
    if _MARKED.get(customer_id) == month:
        return
    try:
        if customer_store.mark_shared(customer_id, now):
            if len(_MARKED) >= MARKED_KEPT:
                _MARKED.clear()
            _MARKED[customer_id] = month
    except Exception:
        logger.exception("referral rate mark not moved", extra={"customer_id": customer_id})
