"""The Apple Wallet pass (`.pkpass`): pass.json, images, manifest.json (SHA-1 of every file) and the signature
(PKCS#7 detached, DER, by the shop's Pass Type ID certificate, Apple's WWDR intermediate included), zipped.

Everything but the signature is deterministic (sorted entries, fixed zip times, fixed JSON layout), so the
same balance and tier always give the same files; the signature carries its signing time.
"""

import hashlib
import io
import json
import struct
import zipfile
import zlib
from dataclasses import dataclass
from functools import lru_cache

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs7

from passaparola.errors import ConfigurationError
from passaparola.loyalty.models import Wallet
from passaparola.passes.config import AppleConfig

CONTENT_TYPE = "application/vnd.apple.pkpass"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
BRAND = (0x2F, 0x5D, 0x50)
"""The panel's default brand colour (#2f5d50): the pass's background."""

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "points": "Points",
        "tier": "Tier",
        "next": "Next tier",
        "to_go": "{points} points to {tier}",
        "pending": "Pending points",
        "lifetime": "Points earned in total",
        "expiring": "Expiring soon",
        "member": "Member number",
        "none": "-",
        "points_changed": "You have %@ points",
        "tier_changed": "Your tier is now %@",
        "description": "{shop} loyalty card",
    },
    "it": {
        "points": "Punti",
        "tier": "Livello",
        "next": "Prossimo livello",
        "to_go": "{points} punti per {tier}",
        "pending": "Punti in attesa",
        "lifetime": "Punti guadagnati in totale",
        "expiring": "In scadenza",
        "member": "Numero socio",
        "none": "-",
        "points_changed": "Hai %@ punti",
        "tier_changed": "Il tuo livello ora è %@",
        "description": "Carta fedeltà {shop}",
    },
    "es": {
        "points": "Puntos",
        "tier": "Nivel",
        "next": "Siguiente nivel",
        "to_go": "{points} puntos para {tier}",
        "pending": "Puntos pendientes",
        "lifetime": "Puntos ganados en total",
        "expiring": "Caducan pronto",
        "member": "Número de socio",
        "none": "-",
        "points_changed": "Tienes %@ puntos",
        "tier_changed": "Tu nivel ahora es %@",
        "description": "Tarjeta de fidelidad {shop}",
    },
    "ro": {
        "points": "Puncte",
        "tier": "Nivel",
        "next": "Nivelul următor",
        "to_go": "{points} puncte până la {tier}",
        "pending": "Puncte în așteptare",
        "lifetime": "Puncte câștigate în total",
        "expiring": "Expiră în curând",
        "member": "Număr de membru",
        "none": "-",
        "points_changed": "Ai %@ puncte",
        "tier_changed": "Nivelul tău este acum %@",
        "description": "Card de fidelitate {shop}",
    },
    "fr": {
        "points": "Points",
        "tier": "Statut",
        "next": "Statut suivant",
        "to_go": "{points} points avant {tier}",
        "pending": "Points en attente",
        "lifetime": "Points gagnés au total",
        "expiring": "Expirent bientôt",
        "member": "Numéro de membre",
        "none": "-",
        "points_changed": "Vous avez %@ points",
        "tier_changed": "Votre statut est maintenant %@",
        "description": "Carte de fidélité {shop}",
    },
    "de": {
        "points": "Punkte",
        "tier": "Stufe",
        "next": "Nächste Stufe",
        "to_go": "{points} Punkte bis {tier}",
        "pending": "Ausstehende Punkte",
        "lifetime": "Insgesamt gesammelte Punkte",
        "expiring": "Verfallen bald",
        "member": "Mitgliedsnummer",
        "none": "-",
        "points_changed": "Du hast %@ Punkte",
        "tier_changed": "Deine Stufe ist jetzt %@",
        "description": "{shop} Kundenkarte",
    },
}


@dataclass(frozen=True)
class PassIdentity:
    """What ties the file to the web service: its serial, the token Wallet sends back, where it calls."""

    serial: str
    authentication_token: str
    web_service_url: str
    organization: str
    locale: str | None = None


def pass_json(wallet: Wallet, who: PassIdentity, apple: AppleConfig) -> dict[str, object]:
    """pass.json of a store card: points on the front, tier beside them, the next tier below, details behind."""
    lang = (who.locale or "en").split("-", 1)[0].lower()
    t = LABELS.get(lang, LABELS["en"])
    tier = wallet.tier
    auxiliary = []
    if tier.next and tier.points_to_next is not None:
        auxiliary.append(
            {
                "key": "next_tier",
                "label": t["next"],
                "value": t["to_go"].format(points=tier.points_to_next, tier=tier.next),
            }
        )
    back: list[dict[str, object]] = [
        {"key": "pending", "label": t["pending"], "value": wallet.points.pending},
        {"key": "lifetime", "label": t["lifetime"], "value": wallet.points.lifetime_earned},
    ]
    if wallet.points.expiring:
        soonest = min(wallet.points.expiring, key=lambda e: e.expires_at)
        back.append(
            {
                "key": "expiring",
                "label": t["expiring"],
                "value": f"{soonest.points} ({soonest.expires_at.date().isoformat()})",
            }
        )
    back.append({"key": "member", "label": t["member"], "value": wallet.customer_id})
    return {
        "formatVersion": 1,
        "passTypeIdentifier": apple.pass_type_id,
        "teamIdentifier": apple.team_id,
        "serialNumber": who.serial,
        "authenticationToken": who.authentication_token,
        "webServiceURL": who.web_service_url,
        "organizationName": who.organization,
        "description": t["description"].format(shop=who.organization),
        "logoText": who.organization,
        "backgroundColor": "rgb({}, {}, {})".format(*BRAND),
        "foregroundColor": "rgb(255, 255, 255)",
        "labelColor": "rgb(220, 235, 228)",
        "sharingProhibited": True,
        "barcodes": [
            {
                "format": "PKBarcodeFormatQR",
                "message": wallet.customer_id,
                "messageEncoding": "iso-8859-1",
                "altText": wallet.customer_id,
            }
        ],
        "storeCard": {
            "primaryFields": [
                {
                    "key": "points",
                    "label": t["points"],
                    "value": wallet.points.balance,
                    "changeMessage": t["points_changed"],
                }
            ],
            "secondaryFields": [
                {"key": "tier", "label": t["tier"], "value": tier.name or t["none"], "changeMessage": t["tier_changed"]}
            ],
            "auxiliaryFields": auxiliary,
            "backFields": back,
        },
    }


def build(wallet: Wallet, who: PassIdentity, apple: AppleConfig) -> bytes:
    """The signed .pkpass (a zip)."""
    files = {"pass.json": json.dumps(pass_json(wallet, who, apple), indent=2, sort_keys=True).encode(), **images()}
    manifest = json.dumps(
        {name: hashlib.sha1(data).hexdigest() for name, data in sorted(files.items())},  # noqa: S324 - Apple's format
        indent=2,
        sort_keys=True,
    ).encode()
    files["manifest.json"] = manifest
    files["signature"] = sign(manifest, apple)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name])
    return out.getvalue()


def sign(manifest: bytes, apple: AppleConfig) -> bytes:
    """PKCS#7 detached signature of the manifest, DER, with the WWDR certificate in the signed data."""
    certificate, key, wwdr = _credentials(apple.certificate_pem, apple.private_key_pem, apple.wwdr_pem)
    return (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(manifest)
        .add_signer(certificate, key, hashes.SHA256())
        .add_certificate(wwdr)
        .sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary])
    )


@lru_cache(maxsize=2)
def _credentials(
    certificate_pem: str, private_key_pem: str, wwdr_pem: str
) -> tuple[x509.Certificate, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, x509.Certificate]:
    """Parsed once per container and secret version (loading an RSA key checks it: tens of milliseconds)."""
    try:
        certificate = x509.load_pem_x509_certificate(certificate_pem.encode())
        wwdr = x509.load_pem_x509_certificate(wwdr_pem.encode())
        key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
    except ValueError as exc:
        raise ConfigurationError(
            "The wallet pass certificate, key or WWDR certificate cannot be read.", {"secret": "apple"}
        ) from exc
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise ConfigurationError("The wallet pass key must be RSA or EC.", {"secret": "apple"})
    return certificate, key, wwdr


@lru_cache(maxsize=1)
def images() -> dict[str, bytes]:
    """The icon (29 pt, @1x and @2x) and the logo: a white ring on the brand colour, drawn here (no binary files)."""
    return {"icon.png": _badge(29, 29), "icon@2x.png": _badge(58, 58), "logo.png": _badge(50, 50)}


def _badge(width: int, height: int) -> bytes:
    cx, cy, outer = (width - 1) / 2, (height - 1) / 2, min(width, height) * 0.38
    inner = outer * 0.62
    rows = []
    for y in range(height):
        row = bytearray([0])  # filter: none
        for x in range(width):
            d = ((x - cx) ** 2 + (y - cy) ** 2) ** 0.5
            row += bytes((255, 255, 255, 255) if inner <= d <= outer else (*BRAND, 255))
        rows.append(bytes(row))
    return _png(width, height, b"".join(rows))


def _png(width: int, height: int, raw: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
