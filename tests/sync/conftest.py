"""Fixtures for the sync scenarios: enumerators' phones holding device tokens."""
import pytest

from support import device_token
from sync_support import Phone


@pytest.fixture
def make_phone(client):
    def factory(username: str = "enumerator", name: str = "test phone") -> Phone:
        return Phone(client, device_token(client, username, name=name))

    return factory


@pytest.fixture
def phone(make_phone) -> Phone:
    return make_phone()
