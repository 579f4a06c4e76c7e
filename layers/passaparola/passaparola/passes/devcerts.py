"""A self-signed stand-in for Apple's chain, for STAGE=local only: a root ("Apple Root CA"), an intermediate
("WWDR") and a Pass Type ID certificate, made once per process, so passes are built and signed exactly as when
deployed and `openssl smime -verify -CAfile <root>` checks them. Wallet on a phone will not accept them. With them
an APNs token key and a Google service account key, so that pushes are signed as when deployed (locally they go
to the stack's `/local/push` recorder).
"""

from datetime import UTC, datetime, timedelta
from functools import lru_cache

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from passaparola.passes.config import AppleConfig, GoogleConfig, WalletConfig

PASS_TYPE_ID = "pass.local.passaparola"
TEAM_ID = "LOCALTEAM1"
APNS_KEY_ID = "LOCALKEY01"
GOOGLE_ISSUER_ID = "3388000000000000000"
GOOGLE_SERVICE_ACCOUNT = "wallet@passaparola-local.iam.gserviceaccount.com"
VALID = timedelta(days=365)


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _name(common: str, *extra: x509.NameAttribute) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common), *extra])


def _cert(
    subject: x509.Name, key: rsa.RSAPrivateKey, issuer: x509.Name, issuer_key: rsa.RSAPrivateKey, ca: bool
) -> x509.Certificate:
    now = datetime.now(UTC) - timedelta(days=1)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + VALID)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    )
    return builder.sign(issuer_key, hashes.SHA256())


def _pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


@lru_cache(maxsize=1)
def development_config() -> WalletConfig:
    """The generated chain as a wallet configuration (its root in `ca_pem`)."""
    root_key, wwdr_key, pass_key = _key(), _key(), _key()
    root_name = _name("Passaparola Local Root CA (not Apple)")
    wwdr_name = _name("Passaparola Local WWDR (not Apple)")
    root = _cert(root_name, root_key, root_name, root_key, ca=True)
    wwdr = _cert(wwdr_name, wwdr_key, root_name, root_key, ca=True)
    pass_name = _name(
        f"Pass Type ID: {PASS_TYPE_ID}",
        x509.NameAttribute(NameOID.USER_ID, PASS_TYPE_ID),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, TEAM_ID),
    )
    certificate = _cert(pass_name, pass_key, wwdr_name, wwdr_key, ca=False)
    private_pem = pass_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    apple = AppleConfig(
        pass_type_id=PASS_TYPE_ID,
        team_id=TEAM_ID,
        certificate_pem=_pem(certificate),
        private_key_pem=private_pem,
        wwdr_pem=_pem(wwdr),
        apns_topic=PASS_TYPE_ID,
        apns_key_id=APNS_KEY_ID,
        apns_private_key_pem=_private_pem(ec.generate_private_key(ec.SECP256R1())),
    )
    google = GoogleConfig(
        issuer_id=GOOGLE_ISSUER_ID,
        service_account_email=GOOGLE_SERVICE_ACCOUNT,
        private_key_pem=_private_pem(_key()),
    )
    return WalletConfig(apple=apple, google=google, ca_pem=_pem(root))


def _private_pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
