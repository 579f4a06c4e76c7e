"""Message texts and the email as it goes to SES (docs/messages.md), and the signed one-click unsubscribe links."""

import email
from email import policy
from email.message import EmailMessage
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from passaparola.errors import InvalidRequest, InvalidToken
from passaparola.loyalty import tokens as customer_tokens
from passaparola.messages import render, unsubscribe
from passaparola.messages.models import EmailTemplate, ReengagementProgram, SmsTemplate

URL = "https://api.example.com/v1/unsubscribe?token=abc.def"
EVIL = '<script>alert("x")</script> & Co'


def context(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "customer": {"id": "cus_1", "name": EVIL, "first_name": "Anna"},
        "coupon": {"code": "M-ABC123", "qr": render.QR_SRC, "expires_at": None, "campaign_id": "cmp_2"},
        "unsubscribe_url": URL,
        "shop_url": "https://shop.example/",
        "points": 0,
    }
    return base | fields


def program(**fields: Any) -> ReengagementProgram:
    body: dict[str, Any] = {
        "trigger": {"type": "welcome"},
        "messages": {"email": {"it": {"subject": "Ciao {{ customer.first_name }}", "body": "<p>Ciao</p>"}}},
    } | fields
    return ReengagementProgram.model_validate(body)


def email_program(body: str, subject: str = "Hi", **fields: Any) -> ReengagementProgram:
    return program(messages={"email": {"it": {"subject": subject, "body": body}}}, **fields)


# --------------------------------------------------------------------------------------------- render


def test_html_body_is_autoescaped_but_subject_is_plain_text():
    out = render.render(EmailTemplate(subject="Hi {{ customer.name }}", body="<p>{{ customer.name }}</p>"), context())
    assert "<script>" not in out.body
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co" in out.body
    assert out.subject == f"Hi {EVIL}"


def test_plain_text_alternative_of_an_escaped_body_shows_the_name_as_written():
    out = render.render(EmailTemplate(subject="s", body="<p>{{ customer.name }}</p>"), context())
    assert out.text is not None and out.text.startswith(EVIL)


def test_sms_is_not_escaped():
    out = render.render(SmsTemplate(body="Hi {{ customer.name }}"), context())
    assert out.body.startswith(f"Hi {EVIL}")
    assert out.subject is None and out.text is None


def test_subject_is_one_line():
    out = render.render(EmailTemplate(subject="  Hi\n{{ customer.first_name }}\r\n  !  ", body="b"), context())
    assert out.subject == "Hi Anna !"


def test_unsubscribe_footer_is_added_only_when_the_body_lacks_the_link():
    out = render.render(EmailTemplate(subject="s", body="<p>Hi</p>"), context())
    assert out.body.count(URL) == 1 and "Unsubscribe</a>" in out.body
    assert out.text is not None and out.text.count(URL) == 1

    own = '<p>Hi</p><a href="{{ unsubscribe_url }}">Basta</a>'
    out = render.render(EmailTemplate(subject="s", body=own), context())
    assert out.body.count(URL) == 1 and "Unsubscribe</a>" not in out.body
    assert out.text is not None and out.text.count(URL) == 1


def test_own_text_alternative_gets_the_link_when_it_lacks_it():
    out = render.render(EmailTemplate(subject="s", body="<p>Hi</p>", text="Hi {{ customer.first_name }}"), context())
    assert out.text == f"Hi Anna\n\nUnsubscribe: {URL}"
    out = render.render(EmailTemplate(subject="s", body="<p>Hi</p>", text="Stop: {{ unsubscribe_url }}"), context())
    assert out.text == f"Stop: {URL}"


def test_sms_gets_stop_and_the_link_unless_it_shows_it():
    assert render.render(SmsTemplate(body="Hi {{ customer.first_name }} "), context()).body == f"Hi Anna Stop: {URL}"
    own = render.render(SmsTemplate(body="Hi. STOP {{ unsubscribe_url }}"), context()).body
    assert own == f"Hi. STOP {URL}"


def test_without_an_unsubscribe_url_nothing_is_added():
    out = render.render(EmailTemplate(subject="s", body="<p>Hi</p>"), context(unsubscribe_url=""))
    assert out.body == "<p>Hi</p>"
    assert render.render(SmsTemplate(body="Hi"), context(unsubscribe_url="")).body == "Hi"


def test_to_text_keeps_links_and_line_breaks_and_unescapes():
    body = '<h1>Ciao</h1><p>Your code: <b>A&amp;B</b></p><p><a href="https://x.example/a">shop</a><br>bye</p>'
    assert render.to_text(body) == "Ciao\nYour code: A&B\nshop (https://x.example/a)\nbye"


@given(st.text(max_size=200))
def test_to_text_never_leaves_tags_of_escaped_text(value):
    from markupsafe import escape

    text = render.to_text(f"<p>{escape(value)}</p>")
    assert text == "\n".join(" ".join(line.split()) for line in value.splitlines() if line.split()).strip()


# ---------------------------------------------------------------------------------------------- check


def test_check_accepts_every_documented_variable():
    body = (
        "{{ customer.id }} {{ customer.name }} {{ customer.first_name }} {{ customer.email }} {{ customer.country }}"
        " {{ customer.locale }} {{ customer.points_balance }} {{ customer.tier }} {{ customer.favourite_category }}"
        " {{ customer.birthday }} {{ occasion.type }} {{ occasion.order_id }} {{ occasion.skus|join(',') }}"
        " {{ occasion.months }} {{ occasion.days }} {{ occasion.points }} {{ occasion.expires_at }}"
        " {{ occasion.last_order_at }} {{ occasion.segment }} {{ campaign.id }} {{ campaign.name }}"
        " {{ unsubscribe_url }} {{ shop_url }} {{ points }}"
        " {{ coupon.code }} <img src='{{ coupon.qr }}'> {{ coupon.expires_at }} {{ coupon.campaign_id }}"
    )
    render.check(email_program(body, incentive={"campaign_id": "cmp_d"}))


def test_check_accepts_referral_with_a_referral_campaign():
    render.check(email_program("{{ referral.code }} {{ referral.link }}", referral_campaign_id="cmp_r"))


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ("<p>{% if %}</p>", {}),  # syntax
        ("<p>{{ customer.name </p>", {}),
        ("<p>{{ custmer.name }}</p>", {}),  # unknown variable
        ("<p>{{ customer.nmae }}</p>", {}),  # unknown field
        ("<p>{{ customer.name|shout }}</p>", {}),  # unknown filter
        ("<p>{{ coupon.code }}</p>", {}),  # no coupon incentive
        ("<p>{{ coupon.code }}</p>", {"incentive": {"points": 100}}),
        ("<p>{{ referral.link }}</p>", {}),  # no referral program
        ("<p>{{ ''.__class__.__mro__ }}</p>", {}),  # sandbox escape
        ("<p>{{ customer.__class__ }}</p>", {}),
        ("<p>{{ (1).__class__.__base__.__subclasses__() }}</p>", {}),
    ],
)
def test_check_refuses_templates_that_cannot_render(body, fields):
    with pytest.raises(InvalidRequest) as caught:
        render.check(email_program(body, **fields))
    assert caught.value.details == {"field": "messages.email.it"}


def test_check_refuses_a_bad_subject_and_a_bad_sms_and_a_bad_variant():
    with pytest.raises(InvalidRequest):
        render.check(email_program("<p>ok</p>", subject="Hi {{ custmer }}"))
    sms = program(audience={"channels": ["sms"]}, messages={"sms": {"fr": {"body": "{{ coupon.code }}"}}})
    with pytest.raises(InvalidRequest) as caught:
        render.check(sms)
    assert caught.value.details == {"field": "messages.sms.fr"}
    variants = program(
        messages=None,
        variants=[
            {"name": "A", "messages": {"email": {"it": {"subject": "s", "body": "ok"}}}},
            {"name": "B", "messages": {"email": {"en": {"subject": "s", "body": "{{ nope }}"}}}},
        ],
    )
    with pytest.raises(InvalidRequest) as caught:
        render.check(variants)
    assert caught.value.details == {"field": "messages.email.en"}


def test_rendering_at_send_time_is_lenient_about_missing_fields_but_not_the_sandbox():
    assert render.render(SmsTemplate(body="{{ occasion.order_id }}x"), context(occasion={})).body.startswith("x")
    with pytest.raises(Exception, match="unsafe"):
        render.render(SmsTemplate(body="{{ ''.__class__.__mro__ }}"), context())


# ----------------------------------------------------------------------------------------------- mime


def parse(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def _mime(body: str, coupon: str | None = "M-ABC123") -> EmailMessage:
    rendered = render.render(EmailTemplate(subject="Hi {{ customer.first_name }}", body=body), context())
    return parse(render.mime("shop@passaparola.local", "anna@example.com", rendered, URL, coupon, "msg_1"))


def test_mime_has_one_click_unsubscribe_headers_and_text_and_html():
    msg = _mime("<p>Ciao {{ customer.name }}</p>")
    assert msg["List-Unsubscribe"] == f"<{URL}>"
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert msg["From"] == "shop@passaparola.local" and msg["To"] == "anna@example.com"
    assert msg["Subject"] == "Hi Anna"
    assert msg["X-Passaparola-Message"] == "msg_1" and "msg_1" in msg["Message-ID"]
    types = [part.get_content_type() for part in msg.walk()]
    assert types == ["multipart/alternative", "text/plain", "text/html"]
    html_part, text_part = msg.get_body(("html",)), msg.get_body(("plain",))
    assert html_part is not None and text_part is not None
    assert "&lt;script&gt;" in html_part.get_content() and "<script>" not in html_part.get_content()
    assert EVIL in text_part.get_content() and URL in text_part.get_content()


def test_mime_inlines_the_qr_png_when_the_body_shows_it():
    msg = _mime('<p>{{ coupon.code }}</p><img src="{{ coupon.qr }}">')
    images = [p for p in msg.walk() if p.get_content_type() == "image/png"]
    assert len(images) == 1
    assert images[0]["Content-ID"] == f"<{render.QR_CID}>"
    assert images[0].get_content().startswith(b"\x89PNG\r\n\x1a\n")
    html_part = msg.get_body(("html",))
    assert html_part is not None and f'src="cid:{render.QR_CID}"' in html_part.get_content()
    related = [p for p in msg.walk() if p.get_content_type() == "multipart/related"]
    assert len(related) == 1


def test_mime_without_the_qr_in_the_body_or_without_a_coupon_has_no_image():
    assert not [p for p in _mime("<p>{{ coupon.code }}</p>").walk() if p.get_content_maintype() == "image"]
    with_qr_no_code = _mime('<img src="{{ coupon.qr }}">', coupon=None)
    assert not [p for p in with_qr_no_code.walk() if p.get_content_maintype() == "image"]


def test_mime_of_a_non_ascii_subject_and_body_round_trips():
    rendered = render.Rendered(subject="Buon compleanno 🎂 Zoë", body="<p>Città — è</p>", text=None)
    msg = parse(render.mime("shop@passaparola.local", "a@example.com", rendered, URL, None, "msg_2"))
    assert msg["Subject"] == "Buon compleanno 🎂 Zoë"
    text_part = msg.get_body(("plain",))
    assert text_part is not None and text_part.get_content().strip() == "Città — è"


# ---------------------------------------------------------------------------------------- unsubscribe


def test_unsubscribe_token_round_trip():
    value = unsubscribe.token("cus_1", "sms", "msg_1")
    assert unsubscribe.verify(value) == unsubscribe.Claims("cus_1", "sms", "msg_1")


def test_unsubscribe_url_carries_the_token():
    from urllib.parse import parse_qs, urlsplit

    url = unsubscribe.url("https://api.example.com/prod/", "cus_1", "email", "msg_1")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://api.example.com/prod/v1/unsubscribe"
    assert unsubscribe.verify(parse_qs(parts.query)["token"][0]).customer_id == "cus_1"


def _flip(text: str, at: int) -> str:
    return text[:at] + ("A" if text[at] != "A" else "B") + text[at + 1 :]


def test_a_tampered_payload_or_signature_is_refused():
    value = unsubscribe.token("cus_1", "email", "msg_1")
    head, sig = value.split(".")
    with pytest.raises(InvalidToken):
        unsubscribe.verify(f"{_flip(head, 3)}.{sig}")
    with pytest.raises(InvalidToken):
        unsubscribe.verify(f"{head}.{_flip(sig, 3)}")
    forged = customer_tokens._b64(b'{"cid":"cus_2","ch":"email","mid":"msg_1"}')
    with pytest.raises(InvalidToken):
        unsubscribe.verify(f"{forged}.{sig}")


@pytest.mark.parametrize("value", ["", "x", "a.b.c", "....", "not base64!.x", "é.é"])
def test_a_malformed_token_is_refused(value):
    with pytest.raises(InvalidToken):
        unsubscribe.verify(value)


def test_a_well_signed_token_without_the_claims_is_refused():
    with pytest.raises(InvalidToken):
        unsubscribe.verify(customer_tokens.seal({"cid": "cus_1", "ch": "fax", "mid": "m"}, unsubscribe.PURPOSE))
    with pytest.raises(InvalidToken):
        unsubscribe.verify(customer_tokens.seal({"cid": "cus_1", "ch": "email"}, unsubscribe.PURPOSE))
    with pytest.raises(InvalidToken):
        unsubscribe.verify(customer_tokens.seal({"cid": 1, "ch": "email", "mid": "m"}, unsubscribe.PURPOSE))


def test_customer_and_unsubscribe_tokens_are_not_interchangeable():
    from datetime import UTC, datetime, timedelta

    now = datetime(2026, 6, 1, tzinfo=UTC)
    customer_token, _ = customer_tokens.issue("cus_1", now, timedelta(days=1))
    with pytest.raises(InvalidToken):
        unsubscribe.verify(customer_token)
    # even one carrying every claim an unsubscribe token has
    lookalike = customer_tokens.seal({"cid": "cus_1", "ch": "email", "mid": "m", "exp": 2**40})
    with pytest.raises(InvalidToken):
        unsubscribe.verify(lookalike)
    with pytest.raises(InvalidToken):
        customer_tokens.verify(unsubscribe.token("cus_1", "email", "msg_1"), now)
