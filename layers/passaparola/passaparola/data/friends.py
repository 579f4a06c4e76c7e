"""Friend coupons: the one coupon a referred friend gets per email and program, written with its code at once."""

from dataclasses import dataclass
from datetime import datetime

from pynamodb.exceptions import TransactWriteError

from passaparola.campaigns.models import DiscountCampaign
from passaparola.coupons.models import Code
from passaparola.data import coupons as code_store
from passaparola.data import stats, transactions
from passaparola.data.models.referrals import FriendCouponModel
from passaparola.data.transactions import Transaction


@dataclass(frozen=True)
class FriendCoupon:
    code: str
    campaign_id: str
    referral_code: str
    expires_at: datetime
    created_at: datetime


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


def coupon_of(email_hash: str, program_id: str) -> FriendCoupon | None:
    """The email's coupon in this program (nothing else of the email is read: the answer must not depend on it)."""
    try:
        return _to_coupon(FriendCouponModel.get(*_key(email_hash, program_id), consistent_read=True))
    except FriendCouponModel.DoesNotExist:
        return None


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
        if code._reward_stats:  # the program's coupon, outstanding until redeemed: issued today
            stats.reward_coupon_issued(tx, code._reward_stats, code.created_at)

    try:
        transactions.write(build)
    except TransactWriteError as exc:
        failed = transactions.failed_items(exc)
        if where and where[0] in failed:
            raise AlreadyIssued() from exc
        if failed:
            raise CodeTaken() from exc
        raise
