"""Real Chromium (Debian's, through Playwright) against a real uvicorn server, phone-sized.

There is no skip here on purpose: without /usr/bin/chromium these tests fail, and CI
(CANBAO_REQUIRE_BROWSER=1) also fails when none of them ran.
"""
import threading
import time

import pytest
import uvicorn
from playwright.sync_api import sync_playwright

from app.main import create_app
from browser_support import CHROMIUM, CHROMIUM_ARGS, phone_page
from support import make_settings



def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def live_server(database_url):
    """The app served by uvicorn on a free loopback port, in a background thread."""
    app = create_app(make_settings(database_url))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning",
                                           lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    app.state.engine.dispose()


@pytest.fixture
def phone(browser, live_server):
    with phone_page(browser, live_server) as page:
        yield page
