"""The RKSV signature format: machine-readable code, chaining, turnover counter, JWS (ES256).

Implements the "Detailspezifikation" of the Registrierkassensicherheitsverordnung (RKSV,
BGBl. II Nr. 410/2015, Anlage) for signature suite R1:

- The signed payload is the machine-readable code without its signature::

    _R1-{ZDA}_{Kassen-ID}_{Belegnummer}_{Datum-Uhrzeit}_{Betrag-Satz-Normal}
    _{Betrag-Satz-Ermaessigt-1}_{Betrag-Satz-Ermaessigt-2}_{Betrag-Satz-Null}
    _{Betrag-Satz-Besonders}_{Stand-Umsatz-Zaehler-AES256-ICM}_{Zertifikat-Seriennummer}
    _{Sig-Voriger-Beleg}

  local time ``YYYY-MM-DDThh:mm:ss``; amounts with two decimals and a decimal comma, no
  thousands separator (``1200,00``, ``-5,00``).
- Sig-Voriger-Beleg: base64 of the first 8 bytes of SHA-256 over the previous receipt's
  compact JWS, or over the Kassen-ID for the first receipt (Startbeleg).
- Stand-Umsatz-Zaehler: the turnover counter in cents, 8 bytes big-endian two's complement,
  AES-256 in counter mode (ICM) with IV = the first 16 bytes of SHA-256(Kassen-ID ||
  Belegnummer), base64. A cancellation carries ``STO`` instead, a training receipt ``TRA``.
- The receipt is signed as a compact JWS with header ``{"alg":"ES256"}``; the QR code is the
  payload, ``_`` and the raw signature (R || S) in base64.

The ZDA ``AT0`` with a key identifier such as ``U:ATU12345678-K1`` (UID, tax number ``S:`` or
GLN ``G:``) marks a key without a trust-service certificate (closed systems); a register
signing with a ZDA's certificate (``AT1`` A-Trust, ``AT2`` GlobalTrust, ``AT3`` PrimeSign)
names the certificate's hex serial instead.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from beleg.domain.errors import ValidationFailed
from beleg.money import round_to_places

SUITE = "R1"
JWS_HEADER = '{"alg":"ES256"}'
COUNTER_BYTES = 8  # N for suite R1
STORNO = base64.b64encode(b"STO").decode()
TRAINING = base64.b64encode(b"TRA").decode()
KEY_ID = re.compile(r"^(U:[A-Z0-9]{1,14}|S:\d{9}|G:\d{13})-[A-Za-z0-9]+$")


class SignatureDevice(Protocol):
    """A signature creation device (Signaturerstellungseinheit): it signs the JWS input."""

    @property
    def zda(self) -> str:
        """The trust service (ZDA) of the key: ``AT0`` for none."""
        ...

    @property
    def serial(self) -> str:
        """The certificate's serial, or the key identifier for ``AT0``."""
        ...

    def sign(self, data: bytes) -> bytes:
        """The ES256 signature of ``data`` as raw R || S (64 bytes)."""
        ...


@dataclass(frozen=True, slots=True)
class SoftwareDevice:
    """A P-256 key held by the platform (ZDA ``AT0``, a key identifier as serial)."""

    private_pem: str
    serial: str
    zda: str = "AT0"

    def sign(self, data: bytes) -> bytes:
        key = serialization.load_pem_private_key(self.private_pem.encode(), password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise TypeError("an RKSV signing key is a P-256 EC key")
        r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")


@dataclass(frozen=True, slots=True)
class KeyMaterial:
    """What commissioning a register creates: the signing key and the turnover AES key (both
    are registered with FinanzOnline, § 16 RKSV)."""

    private_pem: str
    public_pem: str
    aes_key: str  # base64, 32 bytes


def new_key_material() -> KeyMaterial:
    key = ec.generate_private_key(ec.SECP256R1())
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return KeyMaterial(private, public, base64.b64encode(os.urandom(32)).decode())


def check_key_id(value: str, field: str) -> str:
    if not KEY_ID.match(value):
        raise ValidationFailed("pos.key_id_format", field=field, name=field)
    return value


def amount_text(value: Decimal) -> str:
    """``1200,00`` / ``-5,00``: two decimals, decimal comma, no grouping."""
    return f"{round_to_places(value, 2):f}".replace(".", ",")


def chain_value(previous_jws: str | None, register_id: str) -> str:
    seed = previous_jws if previous_jws is not None else register_id
    return base64.b64encode(hashlib.sha256(seed.encode()).digest()[:8]).decode()


def _iv(register_id: str, receipt_no: str) -> bytes:
    return hashlib.sha256((register_id + receipt_no).encode()).digest()[:16]


def encrypt_turnover(counter_cents: int, aes_key: str, register_id: str, receipt_no: str) -> str:
    plain = counter_cents.to_bytes(COUNTER_BYTES, "big", signed=True)
    return base64.b64encode(_ctr(aes_key, _iv(register_id, receipt_no), plain)).decode()


def decrypt_turnover(encrypted: str, aes_key: str, register_id: str, receipt_no: str) -> int:
    plain = _ctr(aes_key, _iv(register_id, receipt_no), base64.b64decode(encrypted))
    return int.from_bytes(plain, "big", signed=True)


def _ctr(aes_key: str, iv: bytes, data: bytes) -> bytes:
    cipher = Cipher(algorithms.AES(base64.b64decode(aes_key)), modes.CTR(iv)).encryptor()
    return cipher.update(data) + cipher.finalize()


@dataclass(frozen=True, slots=True)
class ReceiptData:
    register_id: str
    receipt_no: str
    date_time: datetime  # local time, no zone
    buckets: tuple[Decimal, Decimal, Decimal, Decimal, Decimal]  # 20 %, 10 %, 13 %, 0 %, 19 %


@dataclass(frozen=True, slots=True)
class SignedReceipt:
    jws: str
    qr_code: str


def payload(data: ReceiptData, *, zda: str, turnover: str, serial: str, chain: str) -> str:
    stamp = data.date_time.replace(microsecond=0).isoformat()
    amounts = "_".join(amount_text(value) for value in data.buckets)
    return (
        f"_{SUITE}-{zda}_{data.register_id}_{data.receipt_no}_{stamp}_{amounts}"
        f"_{turnover}_{serial}_{chain}"
    )


def sign_receipt(
    data: ReceiptData, *, turnover: str, device: SignatureDevice, previous_jws: str | None
) -> SignedReceipt:
    """Sign one receipt of the chain; ``turnover`` is the encrypted counter, STO or TRA."""
    text = payload(
        data,
        zda=device.zda,
        turnover=turnover,
        serial=device.serial,
        chain=chain_value(previous_jws, data.register_id),
    )
    signing_input = f"{_b64url(JWS_HEADER.encode())}.{_b64url(text.encode())}"
    signature = device.sign(signing_input.encode())
    return SignedReceipt(
        f"{signing_input}.{_b64url(signature)}", f"{text}_{base64.b64encode(signature).decode()}"
    )


def verify_jws(jws: str, public_pem: str) -> str:
    """The payload of ``jws`` if its ES256 signature is valid; raises ValueError otherwise."""
    header, body, signature = jws.split(".")
    raw = _b64url_decode(signature)
    key = serialization.load_pem_public_key(public_pem.encode())
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise TypeError("an RKSV verification key is a P-256 EC key")
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    try:
        key.verify(der, f"{header}.{body}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise ValueError("the receipt's signature is not valid") from None
    if json.loads(_b64url_decode(header)) != {"alg": "ES256"}:
        raise ValueError("the receipt's JWS header is not ES256")
    return _b64url_decode(body).decode()


def dep7(
    receipts: list[str], certificate: str = "", authorities: list[str] | None = None
) -> dict[str, object]:
    """The RKSV export (Datenerfassungsprotokoll, § 7 RKSV, "DEP7" JSON): one group of
    compact JWS receipts in chain order."""
    return {
        "Belege-Gruppe": [
            {
                "Signaturzertifikat": certificate,
                "Zertifizierungsstellen": authorities or [],
                "Belege-kompakt": receipts,
            }
        ]
    }


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
