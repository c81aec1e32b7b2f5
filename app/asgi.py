"""Entry point for `uvicorn app.asgi:app` (several workers behind a proxy in production)."""
from app.main import create_app

app = create_app()
