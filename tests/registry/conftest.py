"""An app whose registry is a database of its own that does not exist yet."""
import pytest

from app.main import create_app
from registry_support import SeparateRegistry
from support import make_settings


@pytest.fixture
def separate_registry(database_url, tmp_path):
    registry = SeparateRegistry(database_url, tmp_path)
    yield registry
    registry.close()


@pytest.fixture
def app(database_url, separate_registry):
    application = create_app(make_settings(database_url, registry_database_url=separate_registry.url))
    yield application
    application.state.registry_engine.dispose()
    application.state.engine.dispose()
