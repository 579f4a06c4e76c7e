"""ISO 4217 currency codes in use (list one, 2025), with their minor-unit exponents.

Checked in rather than read from a package: the list changes a few times a decade, and every amount in the API
is an integer of minor units, so the exponent is part of what a code means (JPY 1000 is ¥1000, EUR 1000 is
€10.00). Funds and units that are not money a shop charges (XAU, XDR, XTS, XXX...) are left out.
"""

from pydantic import ValidationInfo

_BY_EXPONENT = {
    2: """
        AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD CAD CDF
        CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD
        HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT
        MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR
        SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU
        UZS VED VES WST XCD XCG YER ZAR ZMW ZWG
    """,
    0: "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF",
    3: "BHD IQD JOD KWD LYD OMR TND",
    4: "CLF UYW",
}
MINOR_UNITS: dict[str, int] = {code: exponent for exponent, codes in _BY_EXPONENT.items() for code in codes.split()}
CODES = frozenset(MINOR_UNITS)


STORED = {"stored": True}
"""The validation context of data read back from the tables: a code stored when any three capital letters
passed (or since withdrawn, like HRK) must keep loading; the list is enforced on what requests bring in."""


def check_code(value: str, info: ValidationInfo) -> str:
    """A pydantic validator: the value is an ISO 4217 code in use (upper case), unless it is read from storage."""
    if isinstance(info.context, dict) and info.context.get("stored"):
        return value
    if value not in CODES:
        raise ValueError(f"'{value}' is not an ISO 4217 currency code in use (e.g. EUR, USD, JPY)")
    return value
