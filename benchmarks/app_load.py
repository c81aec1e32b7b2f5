"""The enumerator app over the wire: what a phone downloads, in real Chromium (Playwright,
/usr/bin/chromium, the test suite's flags and phone size) against `canbao serve` on
loopback, counting every response the browser received: the page's own and the service
worker's (its precache), with their sizes as transferred (headers and the body as encoded,
from Playwright's request.sizes(), i.e. Chromium's network stack).

Three moments, each from its own clean start of counting:
1. cold first load of /app: a new phone (empty cache, no service worker) opens /app, until
   the service worker is installed and has precached the shell;
2. logging in and the first sync (the device token, the pull, the form page it caches);
3. opening the form once cached: 登记新户 on the home page, the form page shown.

A response is cacheable when a browser may keep it and later reuse or revalidate it: not
`no-store`, and either a freshness lifetime (max-age > 0) or a validator (ETag or
Last-Modified). Responses to /api are data, never cached, and are counted apart. Each
response is listed in <out>/app_load.json.
"""
import json
import re
import sys

from common import BENCH_PASSWORD, ROOT, Context, Figure, migrate_and_seed, scratch_database, uvicorn_server

sys.path.insert(0, str(ROOT / "tests"))

SECTION = "enumerator app"
PASSWORD_FIELD, USER_FIELD, LOGIN_BUTTON = "密码", "用户名", "登录"


class Traffic:
    """Every finished request of the browser context since the last reset."""

    def __init__(self, context):
        self.responses = []
        context.on("requestfinished", self._finished)

    def _finished(self, request) -> None:
        response = request.response()
        if response is None or not request.url.startswith("http"):
            return
        sizes = request.sizes()
        self.responses.append({
            "url": request.url, "status": response.status,
            "bytes": sizes["responseHeadersSize"] + max(sizes["responseBodySize"], 0),
            "headers": response.all_headers(),
            "from_service_worker": response.from_service_worker})

    def reset(self) -> list[dict]:
        taken, self.responses = self.responses, []
        return [item for item in taken if not item["from_service_worker"]]


def cacheable(headers: dict) -> bool:
    control = headers.get("cache-control", "").lower()
    if "no-store" in control:
        return False
    fresh = re.search(r"max-age=(\d+)", control)
    return bool(fresh and int(fresh.group(1)) > 0) or "etag" in headers or "last-modified" in headers


def browse(base: str) -> dict[str, list[dict]]:
    from playwright.sync_api import expect, sync_playwright

    from browser_support import CHROMIUM, CHROMIUM_ARGS, PHONE

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=base, **PHONE)
        traffic = Traffic(context)
        page = context.new_page()
        page.goto("/app")
        page.wait_for_function("navigator.serviceWorker.ready.then(() => true)")
        page.wait_for_function("""async () => {
            const keys = await caches.keys();
            const shell = keys.find((name) => name.startsWith('canbao-shell-'));
            return shell !== undefined && (await navigator.serviceWorker.ready).active?.state === 'activated';
        }""")
        page.wait_for_load_state("networkidle")
        moments = {"cold": traffic.reset()}

        page.get_by_label(USER_FIELD).fill("enumerator")
        page.get_by_label(PASSWORD_FIELD).fill(BENCH_PASSWORD)
        page.get_by_role("button", name=LOGIN_BUTTON).click()
        expect(page.locator("[data-form-select] option")).not_to_have_count(0, timeout=30000)
        page.wait_for_load_state("networkidle")
        moments["login"] = traffic.reset()

        page.get_by_role("button", name="登记新户").click()
        expect(page.get_by_label("现居住地址")).to_be_visible(timeout=30000)
        page.wait_for_load_state("networkidle")
        moments["form"] = traffic.reset()
        browser.close()
    return moments


def measure(ctx: Context) -> list[Figure]:
    with scratch_database("sqlite", ctx.server, ctx.scratch) as url:
        migrate_and_seed(url)
        with uvicorn_server(url) as base:
            moments = browse(base)
    (ctx.out / "app_load.json").write_text(json.dumps(moments, indent=1))  # each response, to look into
    figures = []
    labels = {"cold": "cold first load of /app (with the service worker's precache)",
              "login": "log in and first sync (token, pull, form page)",
              "form": "open the form once cached"}
    for moment, label in labels.items():
        responses = moments[moment]
        app = [item for item in responses if "/api/" not in item["url"]]
        api = [item for item in responses if "/api/" in item["url"]]
        kilobytes = sum(item["bytes"] for item in app) / 1000
        figures += [
            Figure(SECTION, f"{label}: bytes", "", kilobytes, "KB", "demo county, phone 360 px",
                   target="≤ 100" if moment == "cold" else "",
                   note=f"+ {sum(item['bytes'] for item in api) / 1000:.1f} KB of /api" if api else ""),
            Figure(SECTION, f"{label}: requests", "", len(app), "requests", "demo county, phone 360 px",
                   note=f"+ {len(api)} to /api" if api else ""),
        ]
    uncacheable = sorted({item["url"].removeprefix(base) for moment in moments.values()
                          for item in moment if "/api/" not in item["url"] and not cacheable(item["headers"])})
    figures.append(Figure(SECTION, "every app response cacheable", "", 0.0 if uncacheable else 1.0,
                          "yes/no", "demo county, phone 360 px", target="= yes",
                          note=("not: " + ", ".join(uncacheable)) if uncacheable else ""))
    return figures
