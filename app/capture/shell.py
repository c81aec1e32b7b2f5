"""What the service worker precaches, and the version that names its cache.

The version is a hash of every file the offline app is made of, so any change to them gives a
new service worker (which installs beside the old one and waits for the user to reload)."""
import hashlib
import posixpath
import re
from functools import lru_cache
from pathlib import Path

from app.config import PROJECT_ROOT

STATIC = Path(PROJECT_ROOT) / "static"
TEMPLATES = Path(PROJECT_ROOT) / "templates"
VENDOR_FILES = {"/static/vendor/htmx/htmx.min.js": Path(PROJECT_ROOT) / "node_modules" / "htmx.org" / "dist" / "htmx.min.js"}
SHELL_PAGES = ["/app", "/app/manifest.webmanifest"]


STATIC_URL = re.compile(r"/static/[\w./-]+\.\w+")
MODULE_IMPORT = re.compile(r"""\b(?:from|import)\s*['"](\.\.?/[^'"]+)['"]""")


def static_urls() -> list[str]:
    """The static files the app loads: those its pages and manifest name, and every ES module
    they import, transitively. Nothing else: a phone would download the admin pages' files
    (and htmx) for nothing."""
    named = [path.read_text(encoding="utf-8") for path in sorted((TEMPLATES / "capture").glob("*"))]
    named.append((Path(__file__).parent / "views.py").read_text(encoding="utf-8"))  # the manifest's icons
    pending = sorted({url for text in named for url in STATIC_URL.findall(text)})
    urls = set()
    while pending:
        url = pending.pop()
        if url in urls:
            continue
        urls.add(url)
        if url.endswith(".js"):
            source = _file(url).read_text(encoding="utf-8")
            pending += [posixpath.normpath(posixpath.join(posixpath.dirname(url), relative))
                        for relative in MODULE_IMPORT.findall(source)]
    return sorted(urls)


def _file(url: str) -> Path:
    return VENDOR_FILES.get(url) or STATIC / url.removeprefix("/static/")


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
