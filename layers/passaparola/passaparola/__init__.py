"""Passaparola: referral programs, coupons, loyalty and re-engagement for online shops."""

__version__ = "0.1.0"
