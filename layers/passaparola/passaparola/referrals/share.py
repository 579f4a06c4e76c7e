"""Share texts and links: what a referrer sends, rendered from the program's templates."""

from decimal import Decimal
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from passaparola.campaigns.models import ReferralCampaign
from passaparola.errors import InvalidRequest
from passaparola.ids import weighted_choice
from passaparola.referrals.models import CouponReward, CreditReward, RewardSpec, ShareTemplates, ShareTexts


@lru_cache(maxsize=1)
def _env() -> SandboxedEnvironment:
    """Sandboxed: templates are configuration, not code. Plain text, so no HTML escaping."""
    return SandboxedEnvironment(autoescape=False, undefined=StrictUndefined, trim_blocks=True)


def money(amount: int, currency: str) -> str:
    return f"{Decimal(amount) / 100:.2f} {currency}"


def describe(reward: RewardSpec) -> str:
    """A reward in words, for share texts ("5.00 EUR off", "10.00 EUR store credit", "500 points")."""
    if isinstance(reward, CreditReward):
        return f"{money(reward.amount, reward.currency)} store credit"
    if isinstance(reward, CouponReward):
        d = reward.discount
        if d is None:
            return "a coupon"
        if d.type == "amount":
            return f"{money(d.amount_off, reward.currency or '')} off"
        if d.type == "percent":
            return f"{d.percent_off.normalize():f}% off"
        if d.type == "free_shipping":
            return "free shipping"
        if d.type == "unit":
            return f"{d.quantity} free {d.sku}"
        return "a discount"
    return f"{reward.points} points"


def render(templates: ShareTemplates, context: dict[str, str]) -> ShareTexts:
    try:
        return ShareTexts(
            email_subject=_env().from_string(templates.email_subject).render(context),
            email_body=_env().from_string(templates.email_body).render(context),
            social_text=_env().from_string(templates.social_text).render(context),
        )
    except Exception as exc:  # any error a template can raise (syntax, undefined, division by zero...)
        raise InvalidRequest(f"A share template does not render: {exc}", {"field": "share"}) from exc


def check_templates(templates: ShareTemplates) -> None:
    """Refuse templates that would fail for every referrer (syntax errors, unknown names)."""
    sample = {"name": "Anna", "link": "https://example.com/r/ANNA", "shop": "shop", "referee_reward": "x"}
    render(templates, sample | {"referrer_reward": "y"})


def texts(program: ReferralCampaign, variant: str | None, name: str | None, link: str) -> ShareTexts:
    referee, referrer = program.rewards_of(variant)
    context = {
        "name": name or "A friend",
        "link": link,
        "shop": program.shop_name,
        "referee_reward": describe(referee),
        "referrer_reward": describe(referrer),
    }
    try:
        return render(program.share_of(variant), context)
    except InvalidRequest:
        return render(ShareTemplates(), context)  # a template failing for this referrer: the defaults, never a 500


def with_params(url: str, params: dict[str, str]) -> str:
    """The URL with these query parameters set (replacing same-named ones, keeping the others)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    return urlunsplit(parts._replace(query=urlencode(query + list(params.items()))))


def landing(program: ReferralCampaign, code: str) -> str:
    utm = {"utm_campaign": program.id} | program.utm
    return with_params(program.landing_url, {"ref": code} | utm)


def home(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/"


def assign_variant(program: ReferralCampaign, customer_id: str) -> str | None:
    """Weighted and deterministic: the same referrer always lands in the same variant of a program."""
    if not program.variants:
        return None
    return weighted_choice(f"{program.id}\n{customer_id}", [(v.name, v.weight) for v in program.variants])
