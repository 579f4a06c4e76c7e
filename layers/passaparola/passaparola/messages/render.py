"""Message texts from the campaign's templates, and the email as it goes to SES (MIME, inline QR, unsubscribe).

Templates are configuration, not code: a Jinja2 sandbox. Email bodies are HTML and autoescaped (a customer's
name can never inject markup); subjects and SMS are plain text.
"""

import base64
import html
import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import formataddr, make_msgid
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from jinja2 import StrictUndefined, Undefined
from jinja2.sandbox import SandboxedEnvironment

from passaparola import i18n
from passaparola.coupons.qr import qr_png
from passaparola.errors import InvalidRequest
from passaparola.loyalty.rules import debt
from passaparola.messages import pages
from passaparola.messages.models import EmailTemplate, Messages, ReengagementProgram, SmsTemplate

if TYPE_CHECKING:
    from passaparola.data.models.customers import CustomerModel

QR_CID = "coupon-qr@passaparola"
QR_SRC = f"cid:{QR_CID}"
URL_HEADERS = frozenset({"list-unsubscribe"})
MAX_LINE = 998  # RFC 5322's hard limit


class _MailPolicy(EmailPolicy):
    """The default policy, except that a URL header stays one plain line: folded as text, a long link would become
    RFC 2047 encoded-words (`=?utf-8?q?=3Chttps...`), which mail clients do not read as RFC 2369/8058 links."""

    def fold_binary(self, name: str, value: str) -> bytes:
        line = f"{name}: {value}"
        if name.lower() in URL_HEADERS and line.isascii() and len(line) <= MAX_LINE:
            return f"{line}{self.linesep}".encode("ascii")
        return super().fold_binary(name, value)


MAIL_POLICY = _MailPolicy()


@lru_cache(maxsize=4)
def _env(html_body: bool, strict: bool) -> SandboxedEnvironment:
    return SandboxedEnvironment(
        autoescape=html_body, undefined=StrictUndefined if strict else Undefined, trim_blocks=True
    )


@dataclass(frozen=True)
class Rendered:
    subject: str | None
    body: str
    text: str | None


def render(
    template: EmailTemplate | SmsTemplate, context: dict[str, Any], strict: bool = False, locale: str | None = None
) -> Rendered:
    """The texts of one message; the unsubscribe link is added, in the message's language, when the template
    does not show it."""
    url = str(context.get("unsubscribe_url") or "")
    if isinstance(template, EmailTemplate):
        subject = _env(False, strict).from_string(template.subject).render(context).strip()
        body = _env(True, strict).from_string(template.body).render(context)
        label = i18n.text("unsubscribe", locale)
        if url and url not in body:
            link = f'<a href="{html.escape(url)}">{html.escape(label)}</a>'
            body += f'\n<p style="font-size:12px;color:#666">{link}</p>'
        text = _env(False, strict).from_string(template.text).render(context) if template.text else to_text(body)
        if url and url not in text:
            text += f"\n\n{label}: {url}"
        return Rendered(subject=" ".join(subject.split()), body=body, text=text)
    body = _env(False, strict).from_string(template.body).render(context).strip()
    if url and url not in body:
        body += f" {i18n.text('sms_stop', locale)}: {url}"
    return Rendered(subject=None, body=body, text=None)


def to_text(body_html: str) -> str:
    """A plain-text alternative of an HTML body (links kept as their URLs)."""
    text = re.sub(r'<a\s[^>]*href="([^"]*)"[^>]*>(.*?)</a>', r"\2 (\1)", body_html, flags=re.I | re.S)
    text = re.sub(r"<(br|/p|/div|/h\d|/li|/tr)\s*/?>", "\n", text, flags=re.I)
    text = re.sub(r"<[^>]+>", "", text)
    lines = [" ".join(line.split()) for line in html.unescape(text).splitlines()]
    return "\n".join(line for line in lines if line).strip()


def customer_variables(record: "CustomerModel", favourite_category: str | None) -> dict[str, Any]:
    """`customer` in a message's templates, as the sender fills it from the customer's record."""
    balance = int(record.balance or 0)
    return {
        "id": record.customer_id,
        "name": record.name or "",
        "first_name": (record.name or "").split(" ")[0],
        "email": record.email or "",
        "country": record.country or "",
        "locale": record.locale or "",
        "points_balance": balance,
        "points_debt": debt(balance),
        "tier": record.tier or "",
        "favourite_category": favourite_category or "",
        "birthday": record.birthday or "",
    }


def inline_qr(body_html: str, coupon_code: str) -> str:
    """The HTML with the coupon's QR as a data: URI instead of the inline part (`cid:`), for a browser to show."""
    if QR_SRC not in body_html:
        return body_html
    data = base64.b64encode(qr_png(coupon_code)).decode("ascii")
    return body_html.replace(QR_SRC, f"data:image/png;base64,{data}")


def sample_context(program: ReengagementProgram) -> dict[str, Any]:
    """Every variable a message of this campaign can use, filled: a template naming anything else is refused."""
    context: dict[str, Any] = {
        "customer": {
            "id": "cus_1",
            "name": "Anna Rossi",
            "first_name": "Anna",
            "email": "anna@example.com",
            "country": "IT",
            "locale": "it",
            "points_balance": 120,
            "points_debt": 0,
            "tier": "gold",
            "favourite_category": "shoes",
            "birthday": "11-24",
        },
        "occasion": {
            "type": program.trigger.type,
            "order_id": "ord_1",
            "skus": ["SKU-1"],
            "categories": ["shoes"],
            "months": 6,
            "last_order_at": "2026-05-28T10:00:00.000Z",
            "days": 180,
            "points": 100,
            "expires_at": "2026-12-01T00:00:00.000Z",
            "segment": "new_customers",
        },
        "campaign": {"id": "cmp_1", "name": "name"},
        "unsubscribe_url": "https://example.com/v1/unsubscribe?token=t",
        "shop_url": "https://shop.example.com/",
        "points": program.incentive.points if program.incentive and program.incentive.points else 0,
    }
    if program.incentive and not program.incentive.points:
        context["coupon"] = {"code": "WELCOME-1", "qr": QR_SRC, "expires_at": None, "campaign_id": "cmp_2"}
    if program.referral_campaign_id:
        context["referral"] = {"code": "ANNA1", "link": "https://example.com/r/ANNA1"}
    return context


def check(program: ReengagementProgram) -> None:
    """Refuse templates that would fail for every customer (syntax errors, unknown names or filters)."""
    context = sample_context(program)
    for messages in program.all_messages():
        for channel, locale, template in each_template(messages):
            try:
                render(template, context, strict=True)
            except Exception as exc:  # any error a template can raise (syntax, undefined, sandbox)
                raise InvalidRequest(
                    f"The {channel} template for '{locale}' does not render: {exc}",
                    {"field": f"messages.{channel}.{locale}"},
                ) from exc


def each_template(messages: Messages) -> list[tuple[str, str, EmailTemplate | SmsTemplate]]:
    return [("email", loc, t) for loc, t in messages.email.items()] + [
        ("sms", loc, s) for loc, s in messages.sms.items()
    ]


def mime(
    sender: str,
    to: str,
    rendered: Rendered,
    unsubscribe_url: str,
    coupon_code: str | None,
    message_id: str,
) -> bytes:
    """The raw email: text and HTML alternatives, the coupon's QR inline, RFC 8058 one-click unsubscribe."""
    msg = EmailMessage(policy=MAIL_POLICY)
    msg["From"] = formataddr(("", sender)) if "<" not in sender else sender
    msg["To"] = to
    msg["Subject"] = rendered.subject or ""
    msg["Message-ID"] = make_msgid(idstring=message_id, domain=sender.rpartition("@")[2].rstrip(">") or None)
    if unsubscribe_url:  # every message but a double opt-in confirmation (nothing to unsubscribe from yet)
        msg["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["X-Passaparola-Message"] = message_id
    msg.set_content(rendered.text or to_text(rendered.body))
    msg.add_alternative(rendered.body, subtype="html")
    html_part = msg.get_body(("html",))
    if coupon_code and QR_SRC in rendered.body and isinstance(html_part, EmailMessage):
        html_part.add_related(qr_png(coupon_code), maintype="image", subtype="png", cid=f"<{QR_CID}>")
    return msg.as_bytes()


def unsubscribe_page(channel: str, locale: str | None) -> str:
    """The page a person sees after clicking an unsubscribe link, in their language."""
    lang = i18n.language(locale)
    said = html.escape(i18n.text("page_email" if channel == "email" else "page_sms", lang))
    return pages.page_html(lang, i18n.text("page_title", lang), f"<p>{said}</p>")
