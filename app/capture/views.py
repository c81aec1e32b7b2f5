"""The enumerator's installable offline app: shell page, web manifest, service worker, and
the form pages it caches (one per published form version)."""
import json

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from app.accounts.access import public
from app.capture import shell
from app.db import Db
from app.errors import ApiError
from app.forms import service as forms
from app.forms.validation import MESSAGES as VALIDATION_MESSAGES
from app.i18n import N_, gettext_for, locale_for
from app.web import render, templates

router = APIRouter()


@router.get("/app", dependencies=[Depends(public())])
def app_shell(request: Request):
    """The same page for everyone: the data comes from IndexedDB and the sync API, so the
    service worker can serve it with no network."""
    return render(request, "capture/app.html", {"shell_version": shell.shell_version()})


@router.get("/app/manifest.webmanifest", dependencies=[Depends(public())])
def manifest(request: Request):
    _ = gettext_for(request)
    body = {
        "name": _("Social insurance registration"),
        "short_name": _("Canbao"),
        "lang": "zh-CN" if locale_for(request) == "zh_CN" else "en",
        "start_url": "/app",
        "scope": "/app",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#f4f6f8",
        "theme_color": "#0b63ce",
        "icons": [
            {"src": "/static/icons/icon.svg", "sizes": "any", "type": "image/svg+xml", "purpose": "any"},
            {"src": "/static/icons/icon-maskable.svg", "sizes": "any", "type": "image/svg+xml",
             "purpose": "maskable"},
        ],
    }
    return JSONResponse(body, media_type="application/manifest+json")


@router.get("/app/sw.js", dependencies=[Depends(public())])
def service_worker(request: Request):
    script = templates.get_template("capture/sw.js").render(
        version=shell.shell_version(), precache=json.dumps(shell.precache_urls()))
    # Browsers check for a new worker on navigation; never let a proxy keep an old one.
    return Response(script, media_type="text/javascript",
                    headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/app"})


@router.get("/app/forms/{county_code}/{form_id}/{version}", dependencies=[Depends(public())])
def form_page(county_code: str, form_id: str, version: str, request: Request, db: Db):
    """A published form version as a page the phone keeps. Public by design: it holds the
    questions and rules only, like the paper form, and nothing about a person or a village;
    so one cached copy serves every draft made with this version, and it opens even where no
    service worker runs."""
    row = forms.find_published(db, county_code, form_id, version)
    if row is None:
        raise ApiError(404, "form_version_unknown", N_("This form version is not published."))
    definition = forms.definition_of(row)
    return render(request, "capture/form.html",
                  {"row": row, "form": definition, "lang": "en" if locale_for(request) == "en" else "zh",
                   "client": {"definition": definition.to_client(), "messages": VALIDATION_MESSAGES}})
