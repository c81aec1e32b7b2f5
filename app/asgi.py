"""Entry point for `uvicorn app.asgi:app` (several workers behind a proxy in production)."""
from app.config import get_settings
from app.main import create_app

settings = get_settings()
if settings.registry_worker is None:  # a server pushes to the registry unless told not to
    settings.registry_worker = True
app = create_app(settings)
