"""Fixtures for the review tests: an enumerator's phone, supervisors through the API (device
tokens, so no CSRF header is needed) and through the pages (logged-in clients)."""
import pytest

from review_support import Reviewer
from support import device_token, login
from sync_support import Phone


@pytest.fixture
def phone(client) -> Phone:
    return Phone(client, device_token(client, "enumerator", name="enumerator's phone"))


@pytest.fixture
def phone2(client) -> Phone:
    """enumerator2, of township 350524101."""
    return Phone(client, device_token(client, "enumerator2", name="enumerator2's phone"))


@pytest.fixture
def supervisor(client) -> Reviewer:
    return Reviewer(client, device_token(client, "supervisor", name="supervisor's tablet"))


@pytest.fixture
def supervisor2(client) -> Reviewer:
    """The supervisor of township 350524101: none of township 350524100's households."""
    return Reviewer(client, device_token(client, "supervisor2", name="supervisor2's tablet"))


@pytest.fixture
def supervisor_page(make_client):
    """A browser logged in as the supervisor of township 350524100."""
    browser = make_client()
    assert login(browser, "supervisor").status_code == 303
    return browser
