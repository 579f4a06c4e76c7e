"""Data for the console pages' browser tests, made over HTTP with the integration tests' clients.

A shop a marketer or a support agent would recognise: a discount campaign open to support with codes and uses,
a referral program with conversions (one flagged for review), a loyalty member with points, and a welcome
campaign whose email is in the local mailbox. Names are readable (they show in the screenshots) and unique
(the stack is shared by the session).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))  # the integration helpers' imports

from api import item, order, uid  # noqa: E402
from loyalty import Clock, next_start  # noqa: E402
from messages import WATCH_JOB, Messaging  # noqa: E402
from referrals import Referrals, assert_flagged, new_email  # noqa: E402

PEOPLE = [("Giulia Bianchi", "IT", "it"), ("Lucía Fernández", "ES", "es"), ("Andrei Popescu", "RO", "ro")]


@dataclass
class Shop:
    api: Messaging
    rf: Referrals
    tag: str = field(default_factory=lambda: uid()[:5])

    @classmethod
    def of(cls, stack: Any) -> Shop:
        return cls(Messaging(stack), Referrals(stack))

    # -- people ----------------------------------------------------------------------------------------
    def customer(self, name: str = "Giulia Bianchi", country: str = "IT", locale: str = "it", **profile: Any) -> dict:
        """A customer with an email and consent to email; returns {id, email, name}."""
        customer_id = uid("cus_").lower()
        first, last = name.lower().split(" ", 1)
        email = f"{first}.{last.replace(' ', '')}.{customer_id[-6:]}@example.com"
        email = email.encode("ascii", "ignore").decode()
        self.api.shopper(customer_id, name=name, email=email, country=country, locale=locale, **profile)
        return {"id": customer_id, "email": email, "name": name}

    # -- codes -----------------------------------------------------------------------------------------
    def discount(self, name: str = "Summer sale", open_to_support: bool = False, **overrides: Any) -> dict:
        body: dict[str, Any] = {
            "name": f"{name} {self.tag}",
            "discount": {"type": "percent", "percent_off": 10},
            "rules": {"currency": "EUR"},
            **overrides,
        }
        if open_to_support:
            body["open_to_support"] = True
        return self.api.create_campaign(**body)

    def codes(self, campaign_id: str, count: int = 5) -> list[str]:
        r = self.api.create_codes(campaign_id, count=count, prefix="SUMMER-")
        assert r.status_code == 201, r.text
        return [c["code"] for c in r.json()["codes"]]

    def redeem(self, code: str, customer_id: str | None = None, amount: int = 8000) -> dict:
        r = self.api.redeem(code, order(items=[item("SHOE", 1, amount)], id=uid("ord_")), customer_id=customer_id)
        assert r.status_code in (200, 201), r.text
        return r.json()

    # -- loyalty ---------------------------------------------------------------------------------------
    def loyalty(self) -> dict:
        """The shop's one loyalty program: the session's if another test made it, else a new one."""
        r = self.api.post(
            "/v1/campaigns",
            json={"name": "Club", "type": "loyalty", "earning_rules": [{"event": "signup", "points": 100}]},
        )
        if r.status_code == 201:
            return r.json()
        assert r.status_code == 409 and r.json()["error"]["code"] == "loyalty_program_exists", r.text
        return self.api.campaign(r.json()["error"]["details"]["campaign_id"])

    def point_value(self, value: dict | None) -> None:
        """Sets (or, with None, removes) the loyalty program's value of points, which the ROI report reads."""
        loyalty = self.loyalty()
        r = self.api.patch(f"/v1/campaigns/{loyalty['id']}", json={"point_value": value})
        assert r.status_code == 200 and r.json()["point_value"] == value, r.text

    # -- referrals -------------------------------------------------------------------------------------
    def referral_program(self, **overrides: Any) -> dict:
        self.loyalty()  # its tier rewards are points
        return self.rf.create_program(
            name=f"Bring a friend {self.tag}",
            fraud={"max_conversions_per_ip": 1000, "max_conversions_per_hour": 1000},
            **overrides,
        )

    def referrals(self, program: dict, referrer_name: str = "Giulia", friends: int = 2, **link: Any) -> dict:
        """A referrer whose friends order: returns the link (`link`: its other fields, e.g. `variant`)."""
        link = self.rf.link(program["id"], name=referrer_name, **link)
        for _ in range(friends):
            self.rf.refer(link["code"])
        return link

    def flagged(self, program: dict, **link: Any) -> dict:
        """A conversion held for review (the friend's email is disposable): its id, referrer and friend."""
        link = self.rf.link(program["id"], name="Marco", **link)
        friend = uid("friend-").lower()
        outcome = self.rf.refer(link["code"], customer_id=friend, email=new_email(domain="mailinator.com"))
        assert_flagged(outcome, "disposable_email")
        return {"id": outcome["referral"]["conversion_id"], "referrer": link["customer_id"], "friend": friend}

    # -- messages --------------------------------------------------------------------------------------
    def welcome(self) -> dict:
        """A welcome campaign (an Italian email with a coupon) and a new customer; the watch job sends it.

        The jobs remember how far they read the change feed, so this runs on a frozen clock a day after
        anything the session saw (as the messaging integration tests do), then gives the real clock back
        (console tokens are checked against it). The campaign is switched off afterwards: a new customer gets one
        welcome across all welcome campaigns, so a later test's campaign must not lose theirs to this one."""
        clock = Clock(self.api.stack, next_start())
        try:
            self.api.stack.run_job(WATCH_JOB)
            coupon = self.discount("Welcome coupon")
            campaign = self.api.reengagement(
                "welcome",
                name=f"Welcome {self.tag}",
                audience={"channels": ["email"]},
                incentive={"campaign_id": coupon["id"], "expires_in_days": 30},
                messages={
                    "email": {
                        "it": {
                            "subject": "Benvenuta {{ customer.name }}!",
                            "body": "<h1>Ciao {{ customer.first_name }}</h1><p>Grazie per esserti iscritta. "
                            "Il tuo codice di benvenuto: <strong>{{ coupon.code }}</strong></p>",
                        },
                        "en": {
                            "subject": "Welcome {{ customer.name }}!",
                            "body": "<p>Your code: {{ coupon.code }}</p>",
                        },
                    }
                },
            )
            clock.tick()
            person = self.customer("Sofia Conti", "IT", "it")
            clock.tick()
            self.api.stack.run_job(WATCH_JOB)
            [message] = self.api.sent(person["id"], campaign["id"])
        finally:
            self.api.cleanup()
            clock.restore()
        return {"campaign": campaign, "customer": person, "message": message}
