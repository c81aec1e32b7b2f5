"""Authorization in one place: every route declares its access, and the declaration holds."""
import re

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.routing import Mount, Route

from app.accounts.access import ACCESS_MARK
from app.main import create_app
from support import make_settings

# Routes FastAPI adds itself; the schema documents the public sync protocol.
PUBLIC_BY_DESIGN = {"/openapi.json"}
PUBLIC_ROUTES = {"/healthz", "/login", "/lang/{locale}", "/api/v1/devices", "/app",
                 "/app/manifest.webmanifest", "/app/sw.js",
                 "/app/forms/{county_code}/{form_id}/{version}"}


def _access(dependant) -> list[tuple]:
    found = []
    for dependency in dependant.dependencies:
        mark = getattr(dependency.call, ACCESS_MARK, None)
        if mark:
            found.append(mark)
        found.extend(_access(dependency))
    return found


def _routes():
    """Every route as the app serves it, with included routers flattened."""
    app = create_app(make_settings("sqlite://"))
    return [context.route for context in iter_route_contexts(app.routes)]


def test_every_route_declares_exactly_one_access_rule():
    undeclared, doubled = [], []
    for route in _routes():
        if isinstance(route, Mount):
            assert route.path.startswith("/static"), route.path
            continue
        if isinstance(route, APIRoute):
            marks = _access(route.dependant)
            if not marks:
                undeclared.append(f"{sorted(route.methods)} {route.path}")
            elif len(marks) > 1:
                doubled.append(route.path)
        elif isinstance(route, Route):
            assert route.path in PUBLIC_BY_DESIGN, f"unexpected plain route {route.path}"
    assert sum(isinstance(route, APIRoute) for route in _routes()) > 20  # the walk saw the app
    assert undeclared == [], f"routes with no access rule: {undeclared}"
    assert doubled == []


def test_public_routes_are_exactly_the_intended_ones():
    public = set()
    for route in _routes():
        if isinstance(route, APIRoute):
            if any(mark[0] == "public" for mark in _access(route.dependant)):
                public.add(route.path)
    assert public == PUBLIC_ROUTES


def _protected_requests():
    for route in _routes():
        if not isinstance(route, APIRoute):
            continue
        if any(mark[0] == "public" for mark in _access(route.dependant)):
            continue
        path = re.sub(r"\{[^}]+\}", "1", route.path)
        for method in sorted(route.methods):
            yield method, path


@pytest.mark.parametrize("method,path", list(_protected_requests()))
def test_protected_route_refuses_anonymous_callers(client, method, path):
    response = client.request(method, path, follow_redirects=False)
    if path.startswith("/api/"):
        assert response.status_code == 401
        assert response.json()["code"] == "auth_required"
    else:
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login")
