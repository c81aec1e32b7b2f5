"""Real Chromium (Debian's, through Playwright) against a real uvicorn server, phone-sized.

There is no skip here on purpose: without /usr/bin/chromium these tests fail, and CI
(CANBAO_REQUIRE_BROWSER=1) also fails when none of them ran.
"""
import socket
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
def playwright():
    with sync_playwright() as instance:
        yield instance


@pytest.fixture(scope="session")
def browser(playwright):
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


class LiveServer:
    """uvicorn in a thread, on one loopback port for its whole life: it can be stopped (the
    phone has no signal) and started again on the same address (the server restarted)."""

    def __init__(self, database_url: str):
        self.database_url = database_url
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = self.thread = self.app = None

    def start(self) -> None:
        self.app = create_app(make_settings(self.database_url))
        self.server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=self.port,
                                                    log_level="warning", lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.app.state.engine.dispose()


@pytest.fixture
def server(database_url):
    live = LiveServer(database_url)
    live.start()
    yield live
    if live.thread.is_alive():
        live.stop()


@pytest.fixture
def live_server(server):
    return server.url


@pytest.fixture
def phone(browser, live_server):
    with phone_page(browser, live_server) as page:
        yield page
