"""To whom: locale (French shoppers never get the English offer; fr-FR matches fr; default_locale), country,
channels in order of preference, segments, and the schedule window.

Most tests use `segment_entered` on `new_customers`: every new customer enters it, and unlike `welcome` each
campaign reacts to it on its own, so several campaigns can be compared on the same customers in one run.
"""

from datetime import timedelta

import pytest
from api import uid

from messages import (
    birthday_of,
    email_of,
    granted,
    iso,
    line,
    new_phone,
    noon,
    plain_day,
)

pytestmark = pytest.mark.integration

NEW = {"type": "segment_entered", "segment": "new_customers"}
EN = {"subject": "Hello {{ customer.first_name }}", "body": "<p>Our English offer</p>"}
FR = {"subject": "Bonjour {{ customer.first_name }}", "body": "<p>Notre offre</p>"}
IT = {"subject": "Ciao {{ customer.first_name }}", "body": "<p>La nostra offerta</p>"}


def test_french_shoppers_never_get_the_english_offer(ms, clock):
    english_only = ms.reengagement(NEW, messages={"email": {"en": EN}})
    for_french = ms.reengagement(NEW, audience={"locales": ["fr"]}, messages={"email": {"en": EN, "fr": FR}})
    with_default = ms.reengagement(NEW, default_locale="it", messages={"email": {"it": IT, "en": EN}})
    fr = ms.shopper(name="Amélie Dupont", locale="fr")
    fr_fr = ms.shopper(name="Brigitte Martin", locale="fr-FR")
    en_gb = ms.shopper(name="Charles Smith", locale="en-GB")
    en = ms.shopper(name="Dora Brown", locale="en")
    nobody = ms.shopper(name="Elio Nessuno")  # no locale
    clock.tick()
    ms.watch()
    # The English-only campaign: English speakers only (en-GB gets the en template); no locale → nothing
    for who in (en_gb, en):
        [m] = ms.sent(who, english_only["id"])
        assert m["locale"] == "en" and m["body"].startswith("<p>Our English offer</p>"), m
    # The French audience: fr and fr-FR get the French template, English speakers nothing
    for who, first in ((fr, "Amélie"), (fr_fr, "Brigitte")):
        [m] = ms.sent(who, for_french["id"])
        assert m["locale"] == "fr" and m["subject"] == f"Bonjour {first}", m
    # A customer without a locale gets the campaign's default_locale; the others their own or nothing
    [m] = ms.sent(nobody, with_default["id"])
    assert m["locale"] == "it" and m["subject"] == "Ciao Elio", m
    [m] = ms.sent(en_gb, with_default["id"])
    assert m["locale"] == "en", m
    ms.nothing_for([fr, fr_fr, nobody], english_only["id"], grace=0.5)
    ms.nothing_for([en_gb, en, nobody], for_french["id"], grace=0)
    ms.nothing_for([fr, fr_fr], with_default["id"], grace=0)


def test_a_locale_specific_template_wins_over_the_language(ms, clock):
    campaign = ms.reengagement(
        NEW, messages={"email": {"fr": FR, "fr-CA": {"subject": "Allô", "body": "<p>Québec</p>"}}}
    )
    canadian = ms.shopper(locale="fr-CA")
    belgian = ms.shopper(locale="fr-BE")
    clock.tick()
    ms.watch()
    [ca] = ms.sent(canadian, campaign["id"])
    [be] = ms.sent(belgian, campaign["id"])
    assert (ca["locale"], ca["subject"]) == ("fr-CA", "Allô"), ca
    assert be["locale"] == "fr", be


def test_the_country_filter(ms, clock):
    campaign = ms.reengagement(NEW, audience={"countries": ["IT", "SM"]}, messages={"email": {"en": EN}})
    italian = ms.shopper(locale="en", country="IT")
    sammarinese = ms.shopper(locale="en", country="SM")
    french = ms.shopper(locale="en", country="FR")
    stateless = ms.shopper(locale="en")
    clock.tick()
    ms.watch()
    ms.sent(italian, campaign["id"])
    ms.sent(sammarinese, campaign["id"])
    ms.nothing_for([french, stateless], campaign["id"], grace=0.5)


def test_channels_in_order_of_preference(ms, clock):
    campaign = ms.reengagement(
        NEW,
        audience={"channels": ["email", "sms"]},
        messages={"email": {"en": EN}, "sms": {"en": {"body": "Hi {{ customer.first_name }}, our offer"}}},
    )
    both = ms.shopper(locale="en", phone=new_phone(), channels=("email", "sms"))
    phone = new_phone()
    sms_only = ms.shopper(locale="en", phone=phone, channels=("sms",))
    no_phone = ms.shopper(locale="en", channels=("sms",))  # consent to SMS but no number
    clock.tick()
    ms.watch()
    [m] = ms.sent(both, campaign["id"])
    assert m["channel"] == "email" and m["to"] == email_of(both), m
    [s] = ms.sent(sms_only, campaign["id"])
    assert s["channel"] == "sms" and s["to"] == phone, s
    assert s["subject"] is None
    ms.nothing_for([no_phone], campaign["id"], grace=0.5)


def test_a_channel_without_a_template_for_the_locale_falls_back_to_the_next(ms, clock):
    campaign = ms.reengagement(
        NEW,
        audience={"channels": ["email", "sms"]},
        messages={"email": {"en": EN}, "sms": {"it": {"body": "Ciao {{ customer.first_name }}"}}},
    )
    phone = new_phone()
    italian = ms.shopper(name="Gino Bianchi", locale="it", phone=phone, channels=("email", "sms"))
    clock.tick()
    ms.watch()
    [m] = ms.sent(italian, campaign["id"])
    assert (m["channel"], m["locale"], m["to"]) == ("sms", "it", phone), m
    assert m["body"].startswith("Ciao Gino"), m


def test_segments_and_excluded_segments(ms, clock):
    lapsed_only = ms.reengagement(
        {"type": "birthday"}, audience={"segments": ["lapsed_180d"]}, messages={"email": {"en": EN}}
    )
    not_lapsed = ms.reengagement(
        {"type": "birthday"}, audience={"exclude_segments": ["lapsed_180d"]}, messages={"email": {"en": EN}}
    )
    day = plain_day(clock, ahead=1)
    lapsed = ms.shopper(locale="en", birthday=birthday_of(day))
    ms.order(
        lapsed, items=[line("SHOE-1", 1, 5000, ["shoes"])], created_at=iso(noon(clock.today - timedelta(days=200)))
    )
    active = ms.shopper(locale="en", birthday=birthday_of(day))
    ms.order(active, 5000)
    clock.set(noon(day))
    assert "lapsed_180d" in ms.customer(lapsed)["segments"]
    assert "lapsed_180d" not in ms.customer(active)["segments"]
    ms.daily_messages()
    ms.sent(lapsed, lapsed_only["id"])
    ms.sent(active, not_lapsed["id"])
    ms.nothing_for([active], lapsed_only["id"], grace=0.5)
    ms.nothing_for([lapsed], not_lapsed["id"], grace=0)


def test_nothing_is_queued_outside_the_schedule_window(ms, clock):
    later = ms.reengagement(
        NEW,
        starts_at=iso(clock.now + timedelta(days=1)),
        ends_at=iso(clock.now + timedelta(days=30)),
        messages={"email": {"en": EN}},
    )
    ended = ms.reengagement(
        NEW,
        starts_at=iso(clock.now - timedelta(days=30)),
        ends_at=iso(clock.now - timedelta(hours=1)),
        messages={"email": {"en": EN}},
    )
    current = ms.reengagement(
        NEW,
        starts_at=iso(clock.now - timedelta(days=1)),
        ends_at=iso(clock.now + timedelta(days=1)),
        messages={"email": {"en": EN}},
    )
    early = ms.shopper(locale="en")
    # (the watch job re-reads the last 2 minutes before its previous run: the entry is left further behind)
    clock.advance(minutes=5)
    ms.watch()
    ms.sent(early, current["id"])
    ms.nothing_for([early], later["id"], grace=0.5)
    ms.nothing_for([early], ended["id"], grace=0)
    # Once the window opens, customers who enter from then on get it (nothing for the earlier entry)
    clock.advance(days=2)
    on_time = ms.shopper(locale="en")
    clock.tick()
    ms.watch()
    ms.sent(on_time, later["id"])
    ms.nothing_for([early], later["id"], grace=0.5)
    ms.nothing_for([on_time], ended["id"], grace=0)
    ms.nothing_for([on_time], current["id"], grace=0)


def test_a_disabled_campaign_queues_nothing_and_re_enabled_it_does(ms, clock):
    campaign = ms.reengagement(NEW, messages={"email": {"en": EN}})
    ms.set_enabled(campaign["id"], False)
    off = ms.shopper(locale="en")
    clock.tick()
    ms.watch()
    ms.nothing_for([off], campaign["id"], grace=1.0)
    ms.set_enabled(campaign["id"], True)
    on = ms.shopper(locale="en")
    clock.tick()
    ms.watch()
    ms.sent(on, campaign["id"])


def test_consent_for_sms_only_counts_when_granted_per_channel(ms, clock):
    campaign = ms.reengagement(NEW, audience={"channels": ["sms"]}, messages={"sms": {"en": {"body": "Our offer"}}})
    refused = uid("msg-")
    ms.profile(
        refused,
        email=email_of(refused),
        phone=new_phone(),
        locale="en",
        consent={**granted("email"), "sms": {"granted": False}},
    )
    control = ms.shopper(locale="en", phone=new_phone(), channels=("sms",))
    clock.tick()
    ms.watch()
    ms.sent(control, campaign["id"])
    ms.nothing_for([refused], campaign["id"], grace=0.5)
