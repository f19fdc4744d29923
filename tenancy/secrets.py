"""Secrets at rest: Fernet encryption of the few fields that are credentials.

The store seals a company document before it reaches Redis and unseals it after;
the API masks it before it reaches a client. Plaintext secrets therefore exist
only in memory, never in Redis, a response or a log line.
"""

from __future__ import annotations

import base64
import copy
from collections.abc import Callable, Iterator
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

# Where secrets live inside a company document (camelCase, as stored).
SECRET_PATHS: tuple[tuple[str, ...], ...] = (
    ("twilioConfig", "authToken"),
    ("twilioConfig", "apiSecret"),
    ("aiSettings", "elevenLabs", "apiKey"),
)
MASK = "••••"
_SEALED_PREFIX = "enc:v1:"


class SecretKeyError(ValueError):
    """The stored value cannot be decrypted with the configured key."""


def mask_secret(value: str | None) -> str | None:
    """`"••••b0f2"`: enough for a person to recognise a key, useless to anyone else."""
    if not value:
        return value
    return MASK + value[-4:] if len(value) >= 12 else MASK


def is_masked(value: object) -> bool:
    return isinstance(value, str) and value.startswith(MASK)


class SecretBox:
    """Encrypts and decrypts secret strings with a key derived from CLIENTSVIA_SECRET_KEY."""

    def __init__(self, secret_key: str) -> None:
        if len(secret_key) < 16:
            raise ValueError("CLIENTSVIA_SECRET_KEY must be at least 16 characters")
        derived = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"clientsvia-secrets-v1"
        ).derive(secret_key.encode())
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))

    def encrypt(self, plaintext: str) -> str:
        return _SEALED_PREFIX + self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, sealed: str) -> str:
        if not sealed.startswith(_SEALED_PREFIX):
            raise SecretKeyError("stored secret is not sealed")
        try:
            return self._fernet.decrypt(sealed[len(_SEALED_PREFIX) :].encode()).decode()
        except InvalidToken as exc:
            raise SecretKeyError("stored secret does not decrypt with this key") from exc

    def seal(self, document: dict[str, Any]) -> dict[str, Any]:
        """A copy of `document` with every secret path encrypted."""
        return _map_secrets(document, self.encrypt)

    def unseal(self, document: dict[str, Any]) -> dict[str, Any]:
        return _map_secrets(document, self.decrypt)


def mask_document(document: dict[str, Any]) -> dict[str, Any]:
    """A copy of a (plaintext) company document safe to return to a client."""
    return _map_secrets(document, lambda value: mask_secret(value) or value)


def keep_unchanged_secrets(patch: dict[str, Any]) -> dict[str, Any]:
    """Drop masked values a client echoed back, so they never overwrite the real secret."""
    cleaned = copy.deepcopy(patch)
    for parent, key in _secret_slots(cleaned):
        if is_masked(parent[key]):
            del parent[key]
    return cleaned


def _secret_slots(document: dict[str, Any]) -> Iterator[tuple[dict[str, Any], str]]:
    """Each (containing dict, key) of `document` that holds a secret string."""
    for path in SECRET_PATHS:
        parent: Any = document
        for part in path[:-1]:
            parent = parent.get(part) if isinstance(parent, dict) else None
        if isinstance(parent, dict) and isinstance(parent.get(path[-1]), str):
            yield parent, path[-1]


def _map_secrets(document: dict[str, Any], transform: Callable[[str], str]) -> dict[str, Any]:
    result = copy.deepcopy(document)
    for parent, key in _secret_slots(result):
        parent[key] = transform(parent[key])
    return result
