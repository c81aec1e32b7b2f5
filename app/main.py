"""Builds the FastAPI application: settings, database, middleware, routers, static files."""
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles

from app import errors
from app.accounts import admin_views as account_admin_views
from app.accounts import views as account_views
from app.accounts.access import CSRF_COOKIE, new_csrf_token
from app.accounts.secrets import Passwords
from app.areas import views as area_views
from app.audit import views as audit_views
from app.capture import views as capture_views
from app.capture.delivery import AppDelivery
from app.config import PROJECT_ROOT, Settings, get_settings
from app.db import make_engine
from app.exports import views as export_views
from app.forms import views as form_views
from app.home import views as home_views
from app.registry import store as registry_store
from app.registry import views as registry_views
from app.registry import worker as registry_worker
from app.reports import api as report_api
from app.reports import progress_views as progress_report_views
from app.reports import views as report_views
from app.review import api as review_api
from app.review import pages as review_pages
from app.system import views as system_views
from app.targets import views as target_views
from sync import views as sync_views

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
VENDOR_DIR = Path(PROJECT_ROOT) / "node_modules"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    settings.check_safe_to_start()

    app = FastAPI(title="canbao 参保", version="1", docs_url=None, redoc_url=None,
                  lifespan=registry_worker.lifespan)
    app.state.settings = settings
    app.state.engine = make_engine(settings.database_url)
    app.state.registry_engine = registry_store.make_registry_engine(settings, app.state.engine)
    app.state.passwords = Passwords(settings)

    errors.install(app)

    @app.middleware("http")
    async def csrf_cookie_and_headers(request: Request, call_next):
        # Every browser gets a CSRF cookie on first contact, so even the login form carries one.
        issued = None
        if CSRF_COOKIE not in request.cookies and not request.url.path.startswith("/api/"):
            issued = new_csrf_token()
            request.state.csrf_token = issued
        response = await call_next(request)
        if issued:
            response.set_cookie(CSRF_COOKIE, issued, httponly=True, samesite="lax",
                                secure=request.url.scheme == "https" or settings.cookie_secure,
                                path="/")
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    app.add_middleware(AppDelivery)

    for module in (system_views, account_views, home_views, account_admin_views, area_views,
                   audit_views, form_views, capture_views, sync_views, target_views, registry_views,
                   export_views, review_pages, review_api, progress_report_views,
                   report_views, report_api):
        app.include_router(module.router)

    app.mount("/static/vendor/htmx", StaticFiles(directory=VENDOR_DIR / "htmx.org" / "dist",
                                                 check_dir=False), name="vendor-htmx")
    app.mount("/static", StaticFiles(directory=Path(PROJECT_ROOT) / "static"), name="static")
    return app
