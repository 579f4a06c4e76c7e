"""Friend coupons: the one coupon a referred friend gets per email and program, written with its code at once."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.models import _ModelFuture
from pynamodb.transactions import TransactGet

from passaparola.campaigns.models import DiscountCampaign
from passaparola.coupons.models import Code
from passaparola.data import coupons as code_store
from passaparola.data import transactions
from passaparola.data.models import CustomerModel, FriendCouponModel, IdentityModel
from passaparola.data.transactions import Transaction


@dataclass(frozen=True)
class FriendCoupon:
    code: str
    campaign_id: str
    referral_code: str
    expires_at: datetime
    created_at: datetime


@dataclass(frozen=True)
class Known:
    """What is known of an email for one program: its friend coupon, whether it ordered before, and whether it is
    the referrer's own (their profile's email)."""

    coupon: FriendCoupon | None
    ordered: bool
    referrers: bool = False


class AlreadyIssued(Exception):
    """This email already has its coupon in this program (a concurrent call wrote it first)."""


class CodeTaken(Exception):
    """The drawn code already exists: draw another."""


def _key(email_hash: str, campaign_id: str) -> tuple[str, str]:
    return f"EMAIL#{email_hash}", f"FRIEND#{campaign_id}"


def _to_coupon(item: FriendCouponModel) -> FriendCoupon:
    return FriendCoupon(
        code=item.code,
        campaign_id=item.campaign_id,
        referral_code=item.referral_code,
        expires_at=datetime.fromisoformat(item.expires_at),
        created_at=datetime.fromisoformat(item.created_at),
    )


def known(email_hash: str, program_id: str, referrer_id: str) -> Known:
    """The email's coupon in this program, its order facts and the referrer's profile, in one round trip."""

    def build(tx: TransactGet) -> tuple[_ModelFuture[Any], ...]:
        return (
            tx.get(FriendCouponModel, *_key(email_hash, program_id)),
            tx.get(IdentityModel, f"EMAIL#{email_hash}", "FACTS"),
            tx.get(CustomerModel, referrer_id, "facts"),
        )

    f_coupon, f_ident, f_referrer = transactions.read(build)
    coupon, ident, referrer = (transactions.maybe(f) for f in (f_coupon, f_ident, f_referrer))
    return Known(
        coupon=_to_coupon(coupon) if coupon is not None else None,
        ordered=bool(ident is not None and ident.first_order_id),
        referrers=bool(referrer is not None and referrer.email_hash == email_hash),
    )


def issue(email_hash: str, program_id: str, code: Code, issuer: DiscountCampaign, expires_at: datetime) -> None:
    """The friend's coupon and its code in one transaction, only if this email has none in this program yet."""
    assert code.referral_code is not None
    pk, sk = _key(email_hash, program_id)
    where: list[int] = []

    def build(tx: Transaction) -> None:
        tx.save(
            FriendCouponModel(
                pk,
                sk,
                code=code.code,
                campaign_id=issuer.id,
                referral_code=code.referral_code,
                expires_at=expires_at.isoformat(),
                created_at=code.created_at.isoformat(),
            ),
            condition=FriendCouponModel.pk.does_not_exist(),
        )
        where[:] = [transactions.position(tx, "put")]
        code_store.put_code(tx, code)

    try:
        transactions.write(build)
    except TransactWriteError as exc:
        failed = transactions.failed_items(exc)
        if where and where[0] in failed:
            raise AlreadyIssued() from exc
        if failed:
            raise CodeTaken() from exc
        raise
