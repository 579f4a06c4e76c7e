"""Who gets which message, when, on which channel: plain functions over plain data (docs/messages.md).

Nothing here reads or writes: the jobs hand in the customer as a `Recipient` and the campaign, and act on the
`Decision` or the skip reason.
"""

import calendar
import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from passaparola.ids import weighted_choice
from passaparola.messages.models import Channel, EmailTemplate, Messages, ReengagementProgram, SmsTemplate

MAX_ATTEMPTS = 5
RECENT_KEPT = 100
CATCH_UP_DAYS = 7

REFUSED_ERRORS = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "TooManyRequestsException",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "RequestTimeout",
        "Throttled",
        "ThrottledException",
        "KMSThrottlingException",
        "LimitExceededException",
        "SlowDown",
        "connect",
        "client",
    }
)
"""The provider did not take the message (it answered "not now", or no byte of the request reached it): sending
it again later cannot make a second copy. Retried with backoff."""

UNKNOWN_ERRORS = frozenset(
    {
        "timeout",
        "connection_closed",
        "connection",
        "InternalFailure",
        "InternalError",
        "InternalErrorException",
        "RequestTimeoutException",
    }
)
"""The request reached the provider and no clear answer came back (no answer in time, the connection dropped, an
internal error): the message may have gone out. Never sent again automatically (`outcome_unknown`)."""


@dataclass(frozen=True)
class Recipient:
    """What the rules need of a customer (the jobs map the customer record and contact item to this)."""

    customer_id: str
    email: str | None = None
    phone: str | None = None
    country: str | None = None
    locale: str | None = None
    consent: frozenset[str] = frozenset()
    """Channels with consent granted (and confirmed)."""
    segments: frozenset[str] = frozenset()
    recent: tuple[datetime, ...] = ()
    """When the last messages (any campaign) were queued to them."""
    categories: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Decision:
    channel: Channel
    locale: str
    variant: str | None
    to: str
    template: EmailTemplate | SmsTemplate | None = field(default=None, compare=False)
    """The variant's template for this channel and locale (what the message is rendered from)."""


def message_id(campaign_id: str, customer_id: str, occasion: str) -> str:
    """Deterministic: a job run twice, or two at once, names the same message."""
    digest = hashlib.sha256(f"{campaign_id}\n{customer_id}\n{occasion}".encode()).hexdigest()[:32]
    return f"msg_{digest}"


def in_window(program: ReengagementProgram, enabled: bool, now: datetime) -> bool:
    if not enabled:
        return False
    if program.starts_at and now < program.starts_at:
        return False
    return not (program.ends_at and now >= program.ends_at)


def local_day(now: datetime, timezone: str) -> date:
    """The shop's calendar day at `now`."""
    return now.astimezone(ZoneInfo(timezone)).date()


def days_to_run(last_done: date | None, today: date) -> list[date]:
    """The days a daily run covers: those after the last completed one (at most a week back), and today.

    Today is always covered, so a second run the same day picks up what changed since the first (a birthday
    set at noon); what the first run queued is found again and not queued twice. A checkpoint in the future
    (the clock was set back) covers today only.
    """
    first = today - timedelta(days=CATCH_UP_DAYS - 1)
    if last_done is not None:
        first = max(first, min(last_done + timedelta(days=1), today))
    return [first + timedelta(days=n) for n in range((today - first).days + 1)]


def month_day_keys(prefix: str, day: date) -> list[str]:
    """`<prefix>#MM-DD` keys due on `day`; on 28 February of a common year, 29 February's too."""
    keys = [f"{prefix}#{day:%m-%d}"]
    if (day.month, day.day) == (2, 28) and not calendar.isleap(day.year):
        keys.append(f"{prefix}#02-29")
    return keys


def months_before(day: date, months: int) -> list[date]:
    """Order days whose `months`-month anniversary is `day` (a month-end also takes the longer month's tail)."""
    year, month = divmod(day.month - 1 - months, 12)
    year, month = day.year + year, month + 1
    last = calendar.monthrange(year, month)[1]
    if day.day == calendar.monthrange(day.year, day.month)[1] and last > day.day:
        return [date(year, month, d) for d in range(day.day, last + 1)]
    if day.day > last:
        return []
    return [date(year, month, day.day)]


def language(locale: str) -> str:
    return locale.split("-")[0]


def pick_locale(customer_locale: str | None, default_locale: str | None, available: set[str]) -> str | None:
    """The customer's locale, else its language; a customer without one gets the default. Never another."""
    wanted = customer_locale or default_locale
    if not wanted:
        return None
    if wanted in available:
        return wanted
    lang = language(wanted)
    return lang if lang in available else None


def pick_variant(program: ReengagementProgram, campaign_id: str, customer_id: str) -> tuple[str | None, Messages]:
    if not program.variants:
        assert program.messages is not None
        return None, program.messages
    name = weighted_choice(f"{campaign_id}\n{customer_id}", [(v.name, v.weight) for v in program.variants])
    return name, next(v.messages for v in program.variants if v.name == name)


def capped(recent: tuple[datetime, ...], messages: int, days: int, now: datetime) -> bool:
    since = now - timedelta(days=days)
    return sum(1 for t in recent if t > since) >= messages


def favourite(categories: dict[str, int]) -> str | None:
    """The category with the most units ordered (ties: alphabetical, so it is stable)."""
    if not categories:
        return None
    return min(categories.items(), key=lambda kv: (-kv[1], kv[0]))[0]


def decide(program: ReengagementProgram, campaign_id: str, who: Recipient, now: datetime) -> Decision | str:
    """The channel, locale and variant of this customer's message, or why they get none."""
    audience = program.audience
    if audience.countries and who.country not in audience.countries:
        return "country"
    locale_of = who.locale or program.default_locale
    if audience.locales and not (
        locale_of and (locale_of in audience.locales or language(locale_of) in audience.locales)
    ):
        return "locale"
    if audience.segments and not who.segments & set(audience.segments):
        return "segment"
    if who.segments & set(audience.exclude_segments):
        return "excluded_segment"
    cap = audience.frequency_cap
    if cap and capped(who.recent, cap.messages, cap.days, now):
        return "frequency_cap"
    variant, messages = pick_variant(program, campaign_id, who.customer_id)
    reason = "no_channel"
    for channel in audience.channels:
        to = who.email if channel == "email" else who.phone
        if channel not in who.consent:
            reason = "consent" if reason == "no_channel" else reason
            continue
        if not to:
            reason = "no_address" if reason in ("no_channel", "consent") else reason
            continue
        locale = pick_locale(who.locale, program.default_locale, messages.locales(channel))
        if locale is None:
            reason = "no_template_for_locale"
            continue
        template = messages.email[locale] if channel == "email" else messages.sms[locale]
        return Decision(channel=channel, locale=locale, variant=variant, to=to, template=template)
    return reason


def remember(recent: tuple[datetime, ...], now: datetime) -> list[datetime]:
    """The contact's recent sends after one more (the newest 100 within a year)."""
    year_ago = now - timedelta(days=365)
    return [t for t in (*recent, now) if t > year_ago][-RECENT_KEPT:]


def backoff_seconds(attempt: int, base: int) -> int:
    """Delay before attempt `attempt + 1`: base × 4^(attempt-1), within SQS's 12-hour visibility limit."""
    return min(base * 4 ** max(attempt - 1, 0), 43_200)


def transient(error_code: str) -> bool:
    """Known not taken by the provider: safe to send again later."""
    return error_code in REFUSED_ERRORS


def ambiguous(error_code: str, http_status: int | None = None) -> bool:
    """The provider may have taken it: a server error we do not know to be a refusal counts as one."""
    if error_code in REFUSED_ERRORS:
        return False
    return error_code in UNKNOWN_ERRORS or (http_status is not None and http_status >= 500)
