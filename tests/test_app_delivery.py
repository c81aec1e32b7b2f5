"""The offline app's files travel compressed and are revalidated by ETag (app/capture/delivery.py);
pages that carry a CSRF token are never compressed; the service worker precaches what the app
loads and nothing else (app/capture/shell.py)."""
from app.capture import shell
from support import device_token

GZIP = {"Accept-Encoding": "gzip"}


def test_static_files_are_compressed_and_revalidated(client):
    first = client.get("/static/js/app/home.js", headers=GZIP)
    assert first.status_code == 200 and "serviceWorker" in first.text
    assert first.headers["content-encoding"] == "gzip"
    assert first.headers["cache-control"] == "no-cache"
    again = client.get("/static/js/app/home.js", headers={**GZIP, "If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


def test_app_pages_get_an_etag_from_their_content(client):
    first = client.get("/app", headers=GZIP)
    assert first.status_code == 200 and first.headers["content-encoding"] == "gzip"
    etag = first.headers["etag"]
    assert client.get("/app", headers=GZIP).headers["etag"] == etag  # same page, same tag
    again = client.get("/app", headers={**GZIP, "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert "content-security-policy" in again.headers
    client.cookies.set("canbao_lang", "en")
    assert client.get("/app", headers=GZIP).headers["etag"] != etag


def test_a_phone_pull_travels_compressed(client):
    headers = {"Authorization": f"Bearer {device_token(client, 'enumerator')}"}
    pulled = client.get("/api/v1/sync/pull", headers={**headers, **GZIP})
    assert pulled.status_code == 200 and pulled.json()["targets"]  # the demo village's targets
    assert pulled.headers["content-encoding"] == "gzip"
    assert pulled.num_bytes_downloaded < len(pulled.content)


def test_pages_with_a_csrf_token_are_not_compressed(client):
    page = client.get("/login", headers=GZIP)
    assert page.status_code == 200 and 'name="csrf_token"' in page.text
    assert "content-encoding" not in page.headers


def test_the_service_worker_precaches_the_app_and_only_the_app(client):
    urls = shell.precache_urls()
    for module in ("/static/js/app/home.js", "/static/js/app/draft.js", "/static/js/form-page.js",
                   "/static/js/form-engine.js", "/static/js/expression/regex.js", "/static/js/idcard.js",
                   "/static/icons/icon-maskable.svg", "/static/css/app.css"):
        assert module in urls
    assert "/static/vendor/htmx/htmx.min.js" not in urls and "/static/js/review.js" not in urls
    for url in urls:
        assert client.get(url).status_code == 200, url
