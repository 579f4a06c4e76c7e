"""Who is who, without keeping raw personal data: normalised emails and keyed hashes of emails, IPs and agents.

Hashes are HMAC-SHA256 with the deployment's fingerprint secret (`passaparola.keyring`, FINGERPRINT_SECRET_ARN):
a plain hash of an IPv4 address could be reversed by trying all four billion of them; a keyed one cannot
without the key. Hashes are compared with hashes stored months ago (fraud rules, touches, enrollment ids), so
this key is never rotated: only the current version is read, and a new value would orphan every stored hash.
"""

import re
import secrets
import unicodedata

from passaparola import keyring
from passaparola.coupons.codes import CHARSET

DOT_BLIND_DOMAINS = frozenset({"gmail.com", "googlemail.com"})
"""Providers that ignore dots in the local part (a.b@gmail.com is ab@gmail.com)."""
PLUS_TAG_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "yahoo.com",
        "protonmail.com",
        "proton.me",
        "fastmail.com",
    }
)
"""Providers that deliver `name+anything@` to `name@`."""
DOMAIN_ALIASES = {"googlemail.com": "gmail.com"}


def normalize_email(email: str) -> str:
    """The mailbox an address reaches: lower case, Gmail dots dropped, `+tag` dropped where it is an alias."""
    local, _, domain = email.strip().lower().rpartition("@")
    domain = DOMAIN_ALIASES.get(domain, domain)
    if domain in PLUS_TAG_DOMAINS:
        local = local.split("+", 1)[0]
    if domain in DOT_BLIND_DOMAINS:
        local = local.replace(".", "")
    return f"{local}@{domain}"


def email_domain(email: str) -> str:
    return email.strip().lower().rpartition("@")[2]


def keyed_hash(value: str) -> str:
    return keyring.sign(keyring.Purpose.FINGERPRINT, value.encode()).hex()[:32]


def email_hash(email: str) -> str:
    return keyed_hash("email:" + normalize_email(email))


def fingerprints(ip: str | None, user_agent: str | None) -> set[str]:
    """The IP's hash, and the IP+agent's hash when the agent is known: both are compared."""
    if not ip:
        return set()
    found = {"ip:" + keyed_hash("ip:" + ip.strip())}
    if user_agent:
        found.add("ipua:" + keyed_hash(f"ipua:{ip.strip()}\n{user_agent.strip()}"))
    return found


def most_specific(prints: set[str]) -> str | None:
    """IP+agent when known, else the IP alone: what a click is remembered by."""
    return next((p for p in sorted(prints) if p.startswith("ipua:")), min(prints, default=None))


def new_referral_code(name: str | None) -> str:
    """`ANNA-7K2M9X`: a readable prefix from the name (when it has letters) and 6 secure random characters."""
    letters = ""
    if name:
        ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().upper()
        letters = re.sub(r"[^A-Z]", "", ascii_name.split()[0] if ascii_name.split() else "")[:8]
    suffix = "".join(secrets.choice(CHARSET) for _ in range(6 if letters else 8))
    return f"{letters}-{suffix}" if letters else suffix
