"""RSA key pairs for the lab, generated once per process.

Why: a 2048-bit key takes tens to hundreds of milliseconds to generate, and every test starts a
lab server; caching by role keeps the test suite fast while each role still gets its own pair
(the consumer's pair, the "other" pair a mis-pasted application link holds, Jira's own pair).
"""

from __future__ import annotations

import base64
import functools
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

KEY_BITS = 2048


@dataclass(frozen=True)
class KeyPair:
    """A private key as PKCS#8 PEM (what integrations upload) and its public half."""

    private_key: rsa.RSAPrivateKey

    @property
    def public_key(self) -> rsa.RSAPublicKey:
        return self.private_key.public_key()

    @property
    def private_key_pem(self) -> str:
        return self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode("ascii")

    @property
    def public_key_pem(self) -> str:
        return self.public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode("ascii")

    @property
    def public_key_base64(self) -> str:
        """SubjectPublicKeyInfo as bare base64: how Jira shows and stores a consumer public key."""
        der = self.public_key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return base64.b64encode(der).decode("ascii")


@functools.lru_cache(maxsize=None)
def key_pair(role: str) -> KeyPair:
    """The process-wide key pair for ``role`` (e.g. ``consumer``, ``other``, ``jira``)."""
    return KeyPair(rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS))
