"""What the service worker precaches, and the version that names its cache.

The version is a hash of every file the offline app is made of, so any change to them gives a
new service worker (which installs beside the old one and waits for the user to reload)."""
import hashlib
from functools import lru_cache
from pathlib import Path

from app.config import PROJECT_ROOT

STATIC = Path(PROJECT_ROOT) / "static"
TEMPLATES = Path(PROJECT_ROOT) / "templates"
VENDOR_FILES = {"/static/vendor/htmx/htmx.min.js": Path(PROJECT_ROOT) / "node_modules" / "htmx.org" / "dist" / "htmx.min.js"}
SHELL_PAGES = ["/app", "/app/manifest.webmanifest"]


def static_urls() -> list[str]:
    """Every static file the app may load: CSS, ES modules, icons (tests excluded)."""
    urls = []
    for path in sorted(STATIC.rglob("*")):
        if path.is_file() and "tests" not in path.relative_to(STATIC).parts:
            urls.append("/static/" + path.relative_to(STATIC).as_posix())
    return urls + [url for url, path in VENDOR_FILES.items() if path.exists()]


@lru_cache
def shell_version() -> str:
    digest = hashlib.sha256()
    sources = [path for path in sorted(STATIC.rglob("*")) if path.is_file()]
    sources += sorted((TEMPLATES / "capture").glob("*.html")) + sorted((TEMPLATES / "forms").glob("*.html"))
    sources += [TEMPLATES / "base.html"] + [path for path in VENDOR_FILES.values() if path.exists()]
    for path in sources:
        digest.update(path.as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def precache_urls() -> list[str]:
    return SHELL_PAGES + static_urls()
