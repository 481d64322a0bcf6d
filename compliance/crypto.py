"""Encryption at rest and keyed hashes for sensitive identifiers.

Values are encrypted with MultiFernet: the first key in ``FIELD_ENCRYPTION_KEYS`` encrypts,
every key decrypts, so keys rotate by prepending a new one and re-encrypting
(``manage.py rotate_keys``). Exact lookup and duplicate matching use an HMAC under
``HASH_KEY``, a key kept apart from the encryption keys.
"""

import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    return fernet().decrypt(token.encode()).decode()


def rotate(token: str) -> str:
    """Re-encrypt a token under the newest key."""
    return fernet().rotate(token.encode()).decode()


def lookup_hash(value: str, *, scope: str) -> str:
    """A keyed hash for exact lookup. ``scope`` separates kinds of value (national ID, email...)."""
    if not value:
        return ""
    message = f"{scope}\x00{value}".encode()
    return hmac.new(settings.HASH_KEY.encode(), message, hashlib.sha256).hexdigest()


def mask(value: str, *, visible: int = 4) -> str:
    """Show only the last ``visible`` characters: ``A1234567890`` -> ``•••••••7890``."""
    if not value:
        return ""
    shown = value[-visible:] if len(value) > visible else ""
    return "•" * (len(value) - len(shown)) + shown


class EncryptedTextField(models.TextField):
    """A text column whose value is stored encrypted; Python code sees plain text.

    It cannot be filtered or ordered on: look values up through their keyed hash column.
    """

    description = "Text encrypted at rest"

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        try:
            return decrypt(value)
        except InvalidToken as error:
            raise InvalidToken(
                f"{self.model.__name__}.{self.name} cannot be decrypted with the configured keys"
            ) from error

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(value)
