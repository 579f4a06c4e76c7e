"""Share texts and links: what a referrer sends, rendered from the program's templates."""

from decimal import Decimal
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from passaparola import currencies, i18n
from passaparola.campaigns.models import ReferralCampaign
from passaparola.errors import InvalidRequest
from passaparola.ids import weighted_choice
from passaparola.referrals.models import (
    CashReward,
    CouponReward,
    CreditReward,
    ReferralProgram,
    RewardSpec,
    SharePreview,
    ShareTemplates,
    ShareTexts,
)


@lru_cache(maxsize=1)
def _env() -> SandboxedEnvironment:
    """Sandboxed: templates are configuration, not code. Plain text, so no HTML escaping."""
    return SandboxedEnvironment(autoescape=False, undefined=StrictUndefined, trim_blocks=True)


def money(amount: int, currency: str, locale: str | None = None) -> str:
    """Minor units in the currency's own exponent (JPY 1000 is "1000 JPY"; two decimals for a code not listed)."""
    exponent = currencies.MINOR_UNITS.get(currency, 2)
    figure = f"{Decimal(amount).scaleb(-exponent):.{exponent}f}".replace(".", i18n.text("decimal_separator", locale))
    return f"{figure} {currency}".strip()


def describe(reward: RewardSpec, locale: str | None = None) -> str:
    """A reward in words, in the referrer's language ("5.00 EUR off", "10,00 EUR di credito", "500 Punkte")."""
    if isinstance(reward, CashReward):
        return i18n.text("reward_cash", locale, amount=money(reward.amount, reward.currency, locale))
    if isinstance(reward, CreditReward):
        return i18n.text("reward_credit", locale, amount=money(reward.amount, reward.currency, locale))
    if isinstance(reward, CouponReward):
        d = reward.discount
        if d is None:
            return i18n.text("reward_coupon", locale)
        if d.type == "amount":
            return i18n.text("reward_amount_off", locale, amount=money(d.amount_off, reward.currency or "", locale))
        if d.type == "percent":
            percent = f"{d.percent_off.normalize():f}".replace(".", i18n.text("decimal_separator", locale))
            return i18n.text("reward_percent_off", locale, percent=percent)
        if d.type == "free_shipping":
            return i18n.text("reward_free_shipping", locale)
        if d.type == "unit":
            return i18n.text("reward_unit", locale, quantity=d.quantity, sku=d.sku)
        return i18n.text("reward_discount", locale)
    return i18n.text("reward_points", locale, points=reward.points)


def default_templates(locale: str | None) -> ShareTemplates:
    """The built-in share texts in the referrer's language (a program's own templates are used as written)."""
    return ShareTemplates(
        email_subject=i18n.text("share_subject", locale),
        email_body=i18n.text("share_body", locale),
        social_text=i18n.text("share_social", locale),
    )


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


def texts(
    program: ReferralCampaign,
    variant: str | None,
    name: str | None,
    link: str,
    locale: str | None = None,
    strict: bool = False,
) -> ShareTexts:
    """The share texts of one referrer; what the product adds (defaults, reward words) in the referrer's locale.

    `strict` (previews) refuses a failing template (400) instead of falling back to the defaults."""
    referee, referrer = program.rewards_of(variant)
    default_shop = ReferralProgram.model_fields["shop_name"].default
    context = {
        "name": name or i18n.text("a_friend", locale),
        "link": link,
        "shop": i18n.text("our_shop", locale) if program.shop_name == default_shop else program.shop_name,
        "referee_reward": describe(referee, locale),
        "referrer_reward": describe(referrer, locale),
    }
    templates = program.share_of(variant)
    try:
        return render(default_templates(locale) if templates == ShareTemplates() else templates, context)
    except InvalidRequest:  # a template failing for this referrer: the defaults, never a 500
        if strict:
            raise
        return render(default_templates(locale), context)


SAMPLE_CODE = "ANNA1"


def preview(
    program: ReferralCampaign, variant: str | None, name: str | None, locale: str, base_url: str
) -> SharePreview:
    """The share texts a sample referrer would get (no link is created): `variant` or the first one's."""
    names = [v.name for v in program.variants]
    if variant is not None and variant not in names:
        raise InvalidRequest(f"No variant '{variant}'.", {"field": "variant", "variants": names})
    chosen = variant or (names[0] if names else None)
    link = f"{base_url}/r/{SAMPLE_CODE}"
    shown = texts(program, chosen, name or "Anna", link, locale, strict=True)
    return SharePreview(**shown.model_dump(), link=link, variant=chosen, locale=locale)


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
