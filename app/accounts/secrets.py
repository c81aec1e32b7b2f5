"""Password hashing (Argon2id) and the keyed hashing of session and device tokens."""
import hashlib
import hmac
import secrets

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

from app.config import Settings


class Passwords:
    def __init__(self, settings: Settings):
        self._hasher = PasswordHasher(time_cost=settings.argon2_time_cost,
                                      memory_cost=settings.argon2_memory_kib,
                                      parallelism=settings.argon2_parallelism,
                                      type=Type.ID)
        # Verifying against this keeps a login for an unknown user as slow as for a known one,
        # so response time does not reveal which usernames exist.
        self._dummy_hash = self._hasher.hash(secrets.token_hex(16))

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash or self._dummy_hash, password) and \
                password_hash is not None
        except (VerificationError, InvalidHashError):
            return False


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(secret_key: str, token: str) -> str:
    """HMAC rather than a bare hash: a copy of the database alone cannot confirm a token."""
    return hmac.new(secret_key.encode(), token.encode(), hashlib.sha256).hexdigest()


MIN_PASSWORD_LENGTH = 8
