"""Errors with stable machine-readable codes.

API clients branch on `code` (retry, stop, show a conflict); people read `message`, which is
translated. HTML pages get the same message rendered in the error page.
"""
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.i18n import gettext_for, N_
from app.web import render, wants_json

STATUS_CODES = {
    400: ("bad_request", N_("The request is not valid.")),
    401: ("auth_required", N_("Please log in.")),
    403: ("forbidden", N_("You do not have permission to do this.")),
    404: ("not_found", N_("Not found.")),
    405: ("method_not_allowed", N_("This method is not allowed here.")),
    413: ("too_large", N_("The request is too large.")),
    422: ("validation_error", N_("Some fields are not valid.")),
    429: ("too_many_requests", N_("Too many requests. Please try again later.")),
}


class ApiError(Exception):
    """A refusal the client can act on: HTTP status, stable code, translatable message."""

    def __init__(self, status: int, code: str, message: str, *, params: dict | None = None,
                 errors: list[dict] | None = None, headers: dict | None = None):
        super().__init__(code)
        self.status = status
        self.code = code
        self.message = message
        self.params = params or {}
        self.errors = errors or []
        self.headers = headers


class LoginRequired(Exception):
    """Raised when no valid credentials came with the request."""

    def __init__(self, code: str = "auth_required"):
        super().__init__(code)
        self.code = code


def _payload(request: Request, code: str, message: str, params: dict, errors: list) -> dict:
    text = gettext_for(request)(message)
    if params:
        text = text.format(**params)
    body = {"code": code, "message": text}
    if errors:
        body["errors"] = errors
    return body


def _respond(request: Request, status: int, body: dict, headers: dict | None = None):
    if wants_json(request):
        return JSONResponse(body, status_code=status, headers=headers)
    return render(request, "error.html", {"error": body, "status": status},
                  status_code=status, headers=headers)


async def api_error_handler(request: Request, exc: ApiError):
    body = _payload(request, exc.code, exc.message, exc.params, exc.errors)
    return _respond(request, exc.status, body, exc.headers)


async def login_required_handler(request: Request, exc: LoginRequired):
    if wants_json(request):
        code, message = STATUS_CODES[401]
        if exc.code != "auth_required":
            code, message = exc.code, N_("Your device token is no longer valid. Please log in again.")
        return JSONResponse(_payload(request, code, message, {}, []), status_code=401,
                            headers={"WWW-Authenticate": "Bearer"})
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    from urllib.parse import quote

    return RedirectResponse(f"/login?next={quote(target)}", status_code=303)


async def http_error_handler(request: Request, exc: StarletteHTTPException):
    code, message = STATUS_CODES.get(exc.status_code, ("error", N_("Something went wrong.")))
    return _respond(request, exc.status_code, _payload(request, code, message, {}, []),
                    getattr(exc, "headers", None))


async def validation_error_handler(request: Request, exc: RequestValidationError):
    errors = [
        {"path": ".".join(str(p) for p in err["loc"] if p != "body"), "code": err["type"]}
        for err in exc.errors()
    ]
    code, message = STATUS_CODES[422]
    return _respond(request, 422, _payload(request, code, message, {}, errors))


def install(app) -> None:
    app.add_exception_handler(ApiError, api_error_handler)
    app.add_exception_handler(LoginRequired, login_required_handler)
    app.add_exception_handler(StarletteHTTPException, http_error_handler)
    app.add_exception_handler(RequestValidationError, validation_error_handler)
