"""Wallet passes: the member's .pkpass, and Apple's PassKit web service (register a device, list the passes that
changed, send the latest one, accept Wallet's logs). The contract is docs/shopper.md, "Wallet passes".

A pass's serial is a keyed hash of the customer id (the fingerprint key, which is never rotated), so it is the same
at every download; the token Wallet sends back (`Authorization: ApplePass <token>`) is a keyed hash of the serial and
the customer's token epoch, so nothing but the pass item needs storing, a serial alone gives no access, and revoking
the customer's tokens (a lost phone) or erasing the customer revokes every pass already handed out.
"""

import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime

from passaparola import clock
from passaparola.customers import service as customers
from passaparola.data import customers as customer_store
from passaparola.data import passes as store
from passaparola.data.models.customers import CustomerModel
from passaparola.errors import InvalidToken, NotFound, TokenExpired, Unauthorized
from passaparola.loyalty import service as loyalty
from passaparola.loyalty import tokens
from passaparola.loyalty.models import Wallet
from passaparola.observability import logger
from passaparola.passes import apple, config
from passaparola.referrals import identity

WEB_SERVICE_PATH = "/v1/passkit"
"""Apple appends `/v1/devices/...`, `/v1/passes/...`, `/v1/log` to the pass's webServiceURL."""
DOWNLOAD_PURPOSE = "pass-download"
DOWNLOAD_SECONDS = 300
"""A download link lives 5 minutes: long enough to tap, short enough that one left in a history is dead."""


@dataclass(frozen=True)
class PassFile:
    body: bytes
    last_modified: datetime


def serial_of(customer_id: str) -> str:
    return "pp-" + identity.keyed_hash("pass:" + customer_id)


def token_of(serial: str, epoch: int = 0) -> str:
    """The pass's authenticationToken (Apple wants at least 16 characters; this is 32). Epoch 0 keeps the formula
    of the passes issued before tokens were revocable, so they keep working until the first revocation."""
    return identity.keyed_hash("pass-token:" + serial + (f":{epoch}" if epoch else ""))


def customer_pass(customer_id: str, base_url: str, token_epoch: int | None = None) -> PassFile:
    """The member's current pass, issuing it (the pass item, `pass_serial`) at the first download."""
    settings = config.apple()
    read_at = clock.now()
    wallet = loyalty.wallet(customer_id, base_url, token_epoch=token_epoch)
    if not wallet.member:
        raise NotFound("This customer is not a loyalty member.", {"customer_id": customer_id})
    item = store.issue_pass(customer_id, serial_of(customer_id), read_at)
    return _file(wallet, item.serial, item.updated_at, base_url, settings, read_at)


@dataclass(frozen=True)
class DownloadLink:
    url: str
    expires_at: datetime


def download_link(customer_id: str, base_url: str, token_epoch: int) -> DownloadLink:
    """A URL that downloads the member's pass by a plain navigation (iOS Safari hands a pass to Wallet only from
    one: no header can be set). Its `t` is sealed with the customer-token key but names its purpose, so it opens
    this one download and is refused as an `X-Customer-Token`; it keeps the token's epoch, so revoking the
    customer's tokens kills it too. 501 without Apple credentials, 404 for a non-member: checked now, so the
    storefront shows an error instead of navigating to one."""
    config.apple()
    wallet = loyalty.wallet(customer_id, base_url, token_epoch=token_epoch)
    if not wallet.member:
        raise NotFound("This customer is not a loyalty member.", {"customer_id": customer_id})
    expires = clock.now().replace(microsecond=0) + timedelta(seconds=DOWNLOAD_SECONDS)
    claims = {"cid": customer_id, "exp": int(expires.timestamp()), "ep": token_epoch, "pur": DOWNLOAD_PURPOSE}
    return DownloadLink(f"{base_url}/v1/me/pass.pkpass?t={tokens.seal(claims)}", expires)


def download_claim(token: str) -> tokens.Claim:
    """Whom a download link's `t` is for; InvalidToken (forged, or another kind of token) or TokenExpired."""
    claims = tokens.unseal(token)
    if claims.get("pur") != DOWNLOAD_PURPOSE:
        raise InvalidToken()
    try:
        customer_id, expires, epoch = str(claims["cid"]), int(claims["exp"]), int(claims["ep"])
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidToken() from exc
    now = clock.now()
    if now.timestamp() >= expires:
        raise TokenExpired(details={"expired_at": datetime.fromtimestamp(expires, UTC).isoformat()})
    return tokens.Claim(customer_id, epoch)


def _file(
    wallet: Wallet, serial: str, updated_at: str, base_url: str, settings: config.AppleConfig, read_at: datetime
) -> PassFile:
    customer_id = wallet.customer_id
    program = customers.program()
    record = customer_store.read(customer_id)
    who = apple.PassIdentity(
        serial=serial,
        authentication_token=token_of(serial, int(record.token_epoch or 0) if record else 0),
        web_service_url=base_url + WEB_SERVICE_PATH,
        organization=(program.name if program and program.name else "Passaparola"),
        locale=record.locale if record else None,
    )
    return PassFile(apple.build(wallet, who, settings), last_modified(_parse(updated_at), read_at))


def _parse(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def last_modified(changed: datetime, read_at: datetime) -> datetime:
    """The whole second sent as Last-Modified, chosen so that `updated_at < If-Modified-Since` (exact, in ms) means
    "unchanged since that answer": the second after the change (rounded up, as HTTP dates have no fraction), but
    never later than the second in which the pass was read, so a change made after the read (even within the same
    second) is always later than it. A pass changed in the second it was read gets no 304 next time (one extra
    download), never a stale 304."""
    return min(changed.replace(microsecond=0) + timedelta(seconds=1), read_at.replace(microsecond=0))


def http_date(at: datetime) -> str:
    return format_datetime(at.astimezone(UTC).replace(microsecond=0), usegmt=True)


# ------------------------------------------------------------------------------------ PassKit web service


def _pass(pass_type_id: str, serial: str) -> store.PassModel:
    """The pass, or 404: another pass type, or a serial this deployment never issued."""
    settings = config.apple()
    found = store.get_pass(serial) if pass_type_id == settings.pass_type_id else None
    if found is None:
        raise NotFound("No such pass.", {"serial": serial})
    return found


def _holder(found: store.PassModel) -> CustomerModel:
    """The pass's customer, still a member and not erased; else the pass is gone (404): Wallet then stops asking."""
    record = customer_store.read(found.customer_id)
    if record is None or record.erased_at or not record.enrolled_at:
        raise NotFound("No such pass.", {"serial": found.serial})
    return record


def _authorize(serial: str, record: CustomerModel, authorization: str | None) -> None:
    scheme, _, token = (authorization or "").strip().partition(" ")
    expected = token_of(serial, int(record.token_epoch or 0))
    if scheme != "ApplePass" or not hmac.compare_digest(token.strip().encode(), expected.encode()):
        raise Unauthorized("A valid `Authorization: ApplePass <authenticationToken>` is required.")


def register(pass_type_id: str, serial: str, device: str, push_token: str, authorization: str | None) -> bool:
    """Register a device for the pass's updates; True when new (201), False when already registered (200)."""
    found = _pass(pass_type_id, serial)
    _authorize(serial, _holder(found), authorization)
    return store.register(serial, device, push_token, clock.now())


def unregister(pass_type_id: str, serial: str, device: str, authorization: str | None) -> None:
    """Forget a device. An erased or former member's pass may still unregister (with its valid token): nothing to
    refuse there, and the device stops asking."""
    found = _pass(pass_type_id, serial)
    record = customer_store.read(found.customer_id)
    if record is None:
        raise NotFound("No such pass.", {"serial": serial})
    _authorize(serial, record, authorization)
    store.unregister(serial, device)


def updated_serials(pass_type_id: str, device: str, since: str | None) -> tuple[list[str], str] | None:
    """The device's passes changed after the tag, and the new tag; None when nothing changed (204)."""
    if pass_type_id != config.apple().pass_type_id:
        return None
    changed = store.serials_for_device(device, since or None)
    if not changed:
        return None
    return [p.serial for p in changed], max(p.updated_at for p in changed)


def latest(
    pass_type_id: str, serial: str, authorization: str | None, base_url: str, if_modified_since: str | None
) -> PassFile | None:
    """The pass as it is now; None when it has not changed since `If-Modified-Since` (304)."""
    read_at = clock.now()
    found = _pass(pass_type_id, serial)
    _authorize(serial, _holder(found), authorization)
    if if_modified_since:
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            since = None
        if since is not None and since.tzinfo is not None and _parse(found.updated_at) < since:
            return None
    wallet = loyalty.wallet(found.customer_id, base_url)
    return _file(wallet, serial, found.updated_at, base_url, config.apple(), read_at)


def log(messages: list[str]) -> None:
    """What Wallet reports going wrong with our passes (a bad signature, an unreachable web service)."""
    for message in messages[:50]:
        logger.warning("wallet log", extra={"wallet_message": message[:1000]})
