"""The passes table: one item per wallet pass (`sk="pass"`) and one per device registered for it (`sk="reg#..."`).

A pass is keyed by its serial, which is what Apple's PassKit web service calls name; the customer record keeps
`pass_serial` so that a change of balance or tier (the customers table's stream) knows there is a pass to update.
"""

from datetime import datetime

from pynamodb.exceptions import DeleteError, DoesNotExist, PutError, TransactWriteError, UpdateError

from passaparola.clock import iso
from passaparola.data import transactions
from passaparola.data.models.customers import CustomerModel
from passaparola.data.models.passes import PassModel, RegistrationModel
from passaparola.errors import NotFound

BATCH = 100
"""BatchGetItem's limit."""
MAX_DEVICES = 10
"""Registrations kept per pass (a customer's phones and watches; the oldest goes first)."""


def _reg(device: str) -> str:
    return f"reg#{device}"


def issue_pass(customer_id: str, serial: str, at: datetime) -> PassModel:
    """The customer's pass, created at the first call: the pass item and `pass_serial` on the customer record in
    one transaction, both conditional, so two first downloads at once create it once. The serial is the domain's
    (`passes.service.serial_of`: a keyed hash of the customer id, so always the same for one customer).

    Raises NotFound when the customer has no record.
    """
    found = get_pass(serial)
    if found is not None:
        return found
    stamp = iso(at)
    item = PassModel(serial, "pass", customer_id=customer_id, created_at=stamp, updated_at=stamp)

    def build(tx: transactions.Transaction) -> None:
        tx.save(item, condition=PassModel.serial.does_not_exist())
        tx.update(
            CustomerModel(customer_id, "facts"),
            actions=[CustomerModel.pass_serial.set(serial)],
            condition=CustomerModel.customer_id.exists()
            & (CustomerModel.pass_serial.does_not_exist() | (CustomerModel.pass_serial == serial)),
        )

    try:
        transactions.write(build)
    except TransactWriteError as exc:
        failed = transactions.failed_items(exc)  # the put is operation 0, the update 1 (pynamodb's order)
        if 0 in failed:
            found = get_pass(serial)
            if found is not None:
                return found
        if 1 in failed:
            raise NotFound("No such customer.", {"customer_id": customer_id}) from exc
        raise
    return item


def get_pass(serial: str) -> PassModel | None:
    try:
        return PassModel.get(serial, "pass", consistent_read=True)
    except DoesNotExist:
        return None


def register(serial: str, device: str, push_token: str, at: datetime) -> bool:
    """Register a device for a pass's updates; True when new, False when it was registered (its token updated).

    A pass keeps at most MAX_DEVICES registrations: a new device beyond them replaces the oldest, so a customer's
    new phone is never refused and a holder of the pass's token cannot make a change push to more than that.
    (Two first registrations at the same instant may leave one more, until the next one.)"""
    existing = registrations(serial)
    if all(r.device != device for r in existing) and len(existing) >= MAX_DEVICES:
        oldest = sorted(existing, key=lambda r: (r.registered_at or "", r.sk))
        for stale in oldest[: len(existing) - MAX_DEVICES + 1]:
            RegistrationModel(serial, stale.sk).delete()
    item = RegistrationModel(serial, _reg(device), device=device, push_token=push_token, registered_at=iso(at))
    try:
        item.save(condition=RegistrationModel.sk.does_not_exist())
    except PutError as exc:
        if not transactions.condition_failed(exc):
            raise
        RegistrationModel(serial, _reg(device)).update(actions=[RegistrationModel.push_token.set(push_token)])
        return False
    return True


def unregister(serial: str, device: str) -> bool:
    """Forget a device's registration; True when there was one."""
    try:
        RegistrationModel(serial, _reg(device)).delete(condition=RegistrationModel.sk.exists())
    except DeleteError as exc:
        if not transactions.condition_failed(exc):
            raise
        return False
    return True


def unregister_all(serial: str) -> int:
    """Forget every device registered for the pass (erasure: device ids and push tokens are the customer's)."""
    found = registrations(serial)
    for registration in found:
        RegistrationModel(serial, registration.sk).delete()
    return len(found)


def registrations(serial: str) -> list[RegistrationModel]:
    """Every device registered for the pass (what a change pushes to)."""
    return list(RegistrationModel.query(serial, RegistrationModel.sk.startswith("reg#"), consistent_read=True))


def serials_for_device(device: str, updated_since: str | None) -> list[PassModel]:
    """The passes the device registered, changed after the tag (`updated_at` > tag; every one without a tag)."""
    serials = sorted({r.serial for r in RegistrationModel.by_device.query(device)})
    out: list[PassModel] = []
    for start in range(0, len(serials), BATCH):
        keys = [(s, "pass") for s in serials[start : start + BATCH]]
        out += [p for p in PassModel.batch_get(keys) if updated_since is None or p.updated_at > updated_since]
    return sorted(out, key=lambda p: p.serial)


def touch(serial: str, at: datetime) -> None:
    """Mark the pass changed at `at` (its new tag); a pass that does not exist is left alone."""
    try:
        PassModel(serial, "pass").update(
            actions=[PassModel.updated_at.set(iso(at))], condition=PassModel.serial.exists()
        )
    except UpdateError as exc:
        if not transactions.condition_failed(exc):
            raise


def set_google_object(serial: str, object_id: str) -> None:
    """Remember that a Google Wallet save link was issued for the pass: its changes PATCH that object from now on."""
    try:
        PassModel(serial, "pass").update(
            actions=[PassModel.google_object_id.set(object_id)], condition=PassModel.serial.exists()
        )
    except UpdateError as exc:
        if not transactions.condition_failed(exc):
            raise
