"""Server-rendered pages: the Jinja environment and the one render() every view uses."""
from pathlib import Path

from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request

from app.accounts.models import ROLE_LABELS
from app.clock import to_china_time
from app.config import PROJECT_ROOT
from app.i18n import gettext_for, locale_for, ngettext_for

_environment = Environment(loader=FileSystemLoader(Path(PROJECT_ROOT) / "templates"),
                           autoescape=select_autoescape(), extensions=["jinja2.ext.i18n"])
templates = Jinja2Templates(env=_environment)
templates.env.filters["china_time"] = to_china_time
templates.env.policies["ext.i18n.trimmed"] = True
templates.env.globals["role_labels"] = {role.value: label for role, label in ROLE_LABELS.items()}


def page_url(request: Request, page: int) -> str:
    """This page's address with another page number, every filter kept."""
    return "?" + str(request.query_params.__class__({**request.query_params, "page": str(page)}))


templates.env.globals["page_url"] = page_url


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/healthz"


def render(request: Request, name: str, context: dict | None = None, *, status_code: int = 200,
           headers: dict | None = None):
    from app.accounts.access import csrf_token_for

    gettext = gettext_for(request)
    ctx = {
        "_": gettext,
        "gettext": gettext,
        "ngettext": ngettext_for(request),
        "locale": locale_for(request),
        "principal": getattr(request.state, "principal", None),
        "csrf_token": csrf_token_for(request),
    }
    ctx.update(context or {})
    return templates.TemplateResponse(request, name, ctx, status_code=status_code,
                                      headers=headers)
