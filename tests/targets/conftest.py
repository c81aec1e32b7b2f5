"""Fixtures for the roster tests: an upload folder of the test's own, and logged-in clients."""
import pytest

from support import login


@pytest.fixture(autouse=True)
def upload_dir(app, tmp_path):
    app.state.settings.upload_dir = tmp_path / "uploads"
    return app.state.settings.upload_dir


@pytest.fixture
def admin(client):
    assert login(client, "admin").status_code == 303
    return client
