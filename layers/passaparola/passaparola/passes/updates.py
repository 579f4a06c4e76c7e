"""Keeping cards current: a change of a pass holder's balance, pending points or tier, read from the customers
table's stream, marks the pass updated, pushes to the Apple devices registered for it and PATCHes the Google object.

The stream's filter (template.yaml, PassUpdateFunction) lets through only writes of a customer record that had a
pass before and after; whether what a card shows moved is decided here (`card_if_changed`), because an event filter
cannot compare the old image with the new. Every step is safe to repeat: a retried batch touches the pass again (a
later tag), pushes again (the device fetches the same pass) and PATCHes the same object.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from passaparola.data import passes
from passaparola.passes import config, push
from passaparola.passes.config import GoogleConfig
from passaparola.passes.google import Card
from passaparola.passes.push import ApnsConfig

ON_GOOGLE = ("balance", "tier")
"""The customer record's attributes (data.models.customers.CustomerModel) the Google object shows."""
ON_APPLE = (*ON_GOOGLE, "pending")
"""... and the Apple pass (its back shows the pending points, which an order changes before they are released)."""


@dataclass(frozen=True)
class Wallets:
    """The parts of WalletPassSecret a change is sent to (either may be absent)."""

    apple: ApnsConfig | None = None
    google: GoogleConfig | None = None


@dataclass
class Outcome:
    serial: str
    pushed: list[str] = field(default_factory=list)
    unregistered: list[str] = field(default_factory=list)
    google: str | None = None  # "patched" | "not_saved" (404: never saved) | None (no save link, or Google off)


def wallets() -> Wallets:
    """Where changes go, from WalletPassSecret (this container's cached copy)."""
    found = config.wallet()
    apple = push.ApnsConfig.from_secret(found.apple.model_dump()) if found.apple else None
    return Wallets(apple=apple, google=found.google)


def card_if_changed(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> Card | None:
    """The card to send when a pass holder's record changed what a card shows, or when the holder was just erased
    (the Google card expires); None otherwise (a new pass, a record without a pass, a change of anything else)."""
    if not old or not new or new.get("sk") != "facts":
        return None
    serial = new.get("pass_serial")
    if not serial or old.get("pass_serial") != serial:
        return None
    if new.get("erased_at") and not old.get("erased_at"):  # the Google card expires; Apple devices were unregistered
        return Card(serial=str(serial), customer_id=str(new["customer_id"]), balance=0, apple=False, erased=True)
    changed = {name for name in ON_APPLE if not _same(old.get(name), new.get(name))}
    if not changed:
        return None
    return Card(
        serial=str(serial),
        customer_id=str(new["customer_id"]),
        balance=int(new.get("balance") or 0),
        tier=str(new["tier"]) if new.get("tier") else None,
        name=str(new["name"]) if new.get("name") else None,
        google=bool(changed & set(ON_GOOGLE)),
    )


def send(card: Card, wallets: Wallets, now: datetime) -> Outcome:
    """Tag the pass as updated, then tell every wallet; raises PushFailed (after trying them all) to be retried."""
    passes.touch(card.serial, now)
    out = Outcome(card.serial)
    failures: list[str] = []
    if wallets.apple is not None and card.apple:
        registered = passes.registrations(card.serial)
        if registered:
            try:
                report = push.push_devices(wallets.apple, registered, _unregister(card.serial))
                out.pushed, out.unregistered = report.sent, report.gone
            except push.PushFailed as exc:
                failures.append(str(exc))
    if wallets.google is not None and card.google:
        found = passes.get_pass(card.serial)
        if found is not None and found.google_object_id:
            try:
                out.google = push.update_google_object(wallets.google, card)
            except push.PushFailed as exc:
                failures.append(str(exc))
    if failures:
        raise push.PushFailed("; ".join(failures))
    return out


def _unregister(serial: str) -> Callable[[str], None]:
    def unregister(device: str) -> None:
        passes.unregister(serial, device)

    return unregister


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    try:
        return bool(float(a) == float(b))
    except (TypeError, ValueError):
        return str(a) == str(b)
