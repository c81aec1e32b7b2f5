"""Health check and language choice."""
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, RedirectResponse
from sqlalchemy import text

from app.accounts.access import public
from app.db import Db
from app.i18n import LANG_COOKIE, LOCALES

router = APIRouter()


@router.get("/healthz", dependencies=[Depends(public())])
def healthz(db: Db):
    try:
        db.exec(text("SELECT 1"))
        database = "ok"
    except Exception as error:  # the point of a health check is to report, not to crash
        return JSONResponse({"status": "error", "database": type(error).__name__}, status_code=503)
    return {"status": "ok", "database": database}


@router.get("/lang/{locale}", dependencies=[Depends(public())])
def choose_language(locale: str, request: Request, next: str = "/"):
    target = next if next.startswith("/") and not next.startswith("//") else "/"
    response = RedirectResponse(target, status_code=303)
    if locale in LOCALES:
        response.set_cookie(LANG_COOKIE, locale, max_age=365 * 24 * 3600, samesite="lax",
                            httponly=True, path="/")
    return response
