"""The texts the product adds itself follow the customer's locale (passaparola/i18n.py): the unsubscribe footer of
e-mails and SMS, the unsubscribe page, the default share texts of referral links; and the one-click unsubscribe
headers of the raw email are plain, never RFC 2047-encoded."""

import email
import re
from datetime import UTC, datetime
from email import policy
from typing import Any

import pytest

from passaparola import i18n
from passaparola.campaigns.models import ReferralCampaign
from passaparola.messages import render
from passaparola.messages.models import EmailTemplate, SmsTemplate
from passaparola.referrals import share

URL = "https://api.example.com/v1/unsubscribe?token=abc.def"
LANGUAGES = ["en", "it", "es", "ro", "fr", "de"]
FOOTER = {
    "en": "Unsubscribe",
    "it": "Annulla l'iscrizione",
    "es": "Darse de baja",
    "ro": "Dezabonare",
    "fr": "Se désabonner",
    "de": "Abmelden",
}
STOP = {"en": "Stop", "it": "Disiscriviti", "es": "Baja", "ro": "Dezabonare", "fr": "STOP", "de": "Abmelden"}
PAGE = {
    ("en", "email"): "You will receive no more e-mails from us.",
    ("en", "sms"): "You will receive no more text messages from us.",
    ("it", "email"): "Non riceverai più e-mail da noi.",
    ("it", "sms"): "Non riceverai più SMS da noi.",
    ("es", "email"): "Ya no recibirás más correos electrónicos nuestros.",
    ("es", "sms"): "Ya no recibirás más SMS nuestros.",
    ("ro", "email"): "Nu veți mai primi e-mailuri de la noi.",
    ("ro", "sms"): "Nu veți mai primi SMS-uri de la noi.",
    ("fr", "email"): "Vous ne recevrez plus d'e-mails de notre part.",
    ("fr", "sms"): "Vous ne recevrez plus de SMS de notre part.",
    ("de", "email"): "Sie erhalten keine E-Mails mehr von uns.",
    ("de", "sms"): "Sie erhalten keine SMS mehr von uns.",
}
SUBJECT = {
    "en": "Anna invites you to Bottega",
    "it": "Anna ti invita da Bottega",
    "es": "Anna te invita a Bottega",
    "ro": "Anna te invită la Bottega",
    "fr": "Anna t'invite chez Bottega",
    "de": "Anna lädt dich zu Bottega ein",
}
REWARD = {  # the referee's 5.00 EUR off, in each language's words and decimal separator
    "en": "5.00 EUR off",
    "it": "5,00 EUR di sconto",
    "es": "5,00 EUR de descuento",
    "ro": "o reducere de 5,00 EUR",
    "fr": "5,00 EUR de réduction",
    "de": "5,00 EUR Rabatt",
}
NOW = datetime(2026, 11, 24, tzinfo=UTC)


def context() -> dict[str, Any]:
    return {"customer": {"first_name": "Anna"}, "unsubscribe_url": URL}


def program(**overrides: Any) -> ReferralCampaign:
    body: dict[str, Any] = {
        "id": "cmp_x",
        "name": "Friends",
        "enabled": True,
        "version": 1,
        "created_at": NOW,
        "updated_at": NOW,
        "landing_url": "https://shop.example/",
        "shop_name": "Bottega",
        "referee_reward": {"type": "coupon", "discount": {"type": "amount", "amount_off": 500}, "currency": "EUR"},
        "referrer_reward": {"type": "credit", "amount": 1000, "currency": "EUR"},
    }
    return ReferralCampaign.model_validate(body | overrides)


# ------------------------------------------------------------------------------------------- the catalogue


def test_every_language_has_every_text_with_the_same_placeholders():
    assert set(LANGUAGES) <= i18n.LANGUAGES
    for lang in i18n.LANGUAGES:
        assert set(i18n.TEXTS[lang]) == set(i18n.TEXTS["en"]), lang
        for key, value in i18n.TEXTS["en"].items():
            fields = set(re.findall(r"\{(\w+)\}", value)) | set(re.findall(r"\{\{ (\w+) \}\}", value))
            translated = i18n.TEXTS[lang][key]
            assert fields == set(re.findall(r"\{(\w+)\}", translated)) | set(
                re.findall(r"\{\{ (\w+) \}\}", translated)
            ), (lang, key)


@pytest.mark.parametrize(
    ("locale", "language"),
    [
        ("fr-FR", "fr"),
        ("fr_CA", "fr"),
        ("FR", "fr"),
        ("de-AT", "de"),
        ("it", "it"),
        ("es-MX", "es"),
        ("ro-RO", "ro"),
        ("en-GB", "en"),
        ("pt-BR", "en"),
        ("", "en"),
        (None, "en"),
    ],
)
def test_a_locale_is_reduced_to_a_language_of_the_catalogue_else_english(locale, language):
    assert i18n.language(locale) == language


def test_the_browser_language_is_the_best_ranked_one_the_catalogue_has():
    assert i18n.accepted_language("pt-BR,pt;q=0.9,it;q=0.8,en;q=0.5") == "it"
    assert i18n.accepted_language("de-DE") == "de"
    assert i18n.accepted_language("en;q=0.4, fr;q=0.7") == "fr"
    assert i18n.accepted_language("ja, zh;q=0.5") is None
    assert i18n.accepted_language(None) is None
    assert i18n.accepted_language("it;q=0, es;q=bad") is None


# -------------------------------------------------------------------------------------- message footers


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_email_footer_follows_the_message_locale(lang):
    out = render.render(EmailTemplate(subject="s", body="<p>Hi</p>"), context(), locale=f"{lang}-XX")
    expected = FOOTER[lang].replace("'", "&#x27;")
    assert f'<a href="{URL}">{expected}</a>' in out.body
    assert out.text == f"Hi\n{FOOTER[lang]} ({URL})", "the plain-text alternative shows the footer too"
    own_text = render.render(EmailTemplate(subject="s", body="<p>Hi</p>", text="Hi"), context(), locale=lang)
    assert own_text.text == f"Hi\n\n{FOOTER[lang]}: {URL}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_sms_stop_link_follows_the_message_locale(lang):
    out = render.render(SmsTemplate(body="Ciao {{ customer.first_name }}"), context(), locale=lang)
    assert out.body == f"Ciao Anna {STOP[lang]}: {URL}"


def test_a_footer_without_a_locale_or_in_an_unknown_language_is_english():
    assert render.render(SmsTemplate(body="Hi"), context()).body == f"Hi Stop: {URL}"
    assert render.render(SmsTemplate(body="Olá"), context(), locale="pt-BR").body == f"Olá Stop: {URL}"


# ------------------------------------------------------------------------------------ unsubscribe page


@pytest.mark.parametrize(("lang", "channel"), list(PAGE))
def test_the_unsubscribe_page_follows_the_customer_locale(lang, channel):
    page = render.unsubscribe_page(channel, f"{lang}-XX")
    assert f"<html lang='{lang}'>" in page
    assert PAGE[(lang, channel)].replace("'", "&#x27;") in page
    assert f"<title>{i18n.text('page_title', lang)}</title>" in page


def test_the_unsubscribe_page_of_an_unknown_language_is_english():
    assert PAGE[("en", "sms")] in render.unsubscribe_page("sms", "ja")


# ------------------------------------------------------------------------------------------ share texts


@pytest.mark.parametrize("lang", LANGUAGES)
def test_default_share_texts_follow_the_referrer_locale(lang):
    texts = share.texts(program(), None, "Anna", "https://api.example/r/ANNA", f"{lang}-XX")
    assert texts.email_subject == SUBJECT[lang]
    assert REWARD[lang] in texts.email_body and "https://api.example/r/ANNA" in texts.email_body
    assert REWARD[lang] in texts.social_text and "https://api.example/r/ANNA" in texts.social_text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_nameless_referrer_and_the_default_shop_name_are_in_the_referrer_language(lang):
    p = program(shop_name="our shop")  # the default
    texts = share.texts(p, None, None, "https://api.example/r/X", lang)
    assert texts.email_subject == i18n.text("share_subject", lang).replace(
        "{{ name }}", i18n.text("a_friend", lang)
    ).replace("{{ shop }}", i18n.text("our_shop", lang))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_reward_words_follow_the_locale(lang):
    credit = share.describe(program().referrer_reward, lang)
    assert credit == i18n.text("reward_credit", lang, amount=f"10{i18n.text('decimal_separator', lang)}00 EUR")
    points = program(referrer_reward={"type": "points", "points": 500}).referrer_reward
    assert share.describe(points, lang) == i18n.text("reward_points", lang, points=500)


def test_the_shop_own_share_templates_are_used_as_written_whatever_the_locale():
    own = {"email_subject": "Da {{ name }}", "email_body": "{{ link }}", "social_text": "{{ referee_reward }}"}
    texts = share.texts(program(share=own), None, "Anna", "https://x/r/A", "de")
    assert texts.email_subject == "Da Anna" and texts.social_text == "5,00 EUR Rabatt"


def test_without_a_locale_the_share_texts_are_the_english_defaults():
    texts = share.texts(program(), None, "Anna", "https://x/r/A")
    assert texts.email_subject == "Anna invites you to Bottega" and "5.00 EUR off" in texts.email_body


# --------------------------------------------------------------------------- List-Unsubscribe on the wire

LONG_URL = "https://abcdefgh.execute-api.eu-south-1.amazonaws.com/prod/v1/unsubscribe?token=" + "A" * 200 + ".sig"


@pytest.mark.parametrize("url", [URL, LONG_URL])
def test_list_unsubscribe_is_one_plain_line_in_the_raw_mime(url):
    rendered = render.Rendered(
        subject="Buon compleanno Zoë, è per te — un regalo lungo lungo lungo", body="<p>x</p>", text=None
    )
    raw = render.mime("shop@passaparola.local", "anna@example.com", rendered, url, None, "msg_1")
    lines = raw.decode("ascii").split("\n")
    assert f"List-Unsubscribe: <{url}>" in lines, "one unfolded line, the URL as is"
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in lines
    head = raw.split(b"\n\n", 1)[0]
    unsubscribe = [h for h in head.split(b"\n") if h.lower().startswith(b"list-unsubscribe")]
    assert all(b"=?" not in h for h in unsubscribe), "never RFC 2047 encoded-words"
    parsed = email.message_from_bytes(raw, policy=policy.default)
    assert parsed["List-Unsubscribe"] == f"<{url}>"
    assert parsed["Subject"] == rendered.subject, "other headers are still encoded and folded as before"
    assert any(line.startswith(" ") for line in head.decode().split("\n")), "a long subject is still folded"
