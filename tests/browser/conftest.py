"""Chromium driven by Selenium through Debian's chromedriver: nothing is downloaded at run time.

CI installs the browser as it installs bubblewrap (``apt-get install chromium chromium-driver``);
without it these tests fail with that command rather than skip.
"""

import contextlib
import functools
import http.server
import os
import shutil
import threading
from pathlib import Path

import pytest

from tests.conftest import ROOT

SCREENSHOTS = ROOT / "_build" / "screenshots"
BROWSER = ("chromium", "chromium-browser", "google-chrome")
DRIVER = ("chromedriver",)


def _find(names, what):
    for name in names:
        found = shutil.which(name, path=f"{os.environ.get('PATH', '')}:/usr/bin:/usr/lib/chromium")
        if found:
            return found
    pytest.fail(
        f"no {what} on PATH ({', '.join(names)}): the browser tests need Debian's "
        "`apt-get install -y chromium chromium-driver` (.ci/run installs them)"
    )


def new_driver(width: int = 1280, height: int = 900):
    """A headless Chromium that logs console messages and network events."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = _find(BROWSER, "Chromium")
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
        options.add_argument(argument)
    options.add_argument(f"--window-size={width},{height}")
    options.add_argument("--disable-features=Translate,MediaRouter,OptimizationHints")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    service = Service(executable_path=_find(DRIVER, "chromedriver"))
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must never fetch a driver or browser
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(60)
    return driver


@pytest.fixture
def chrome():
    driver = new_driver()
    yield driver
    driver.quit()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (the standard library's name)
        pass


@contextlib.contextmanager
def serve(directory: Path):
    """The files under ``directory`` over HTTP on a free local port: yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


@pytest.fixture(scope="module")
def book_server(fast_book):
    """``(base_url, html_dir)``: the built fast book served over HTTP."""
    with serve(fast_book) as base:
        yield base, fast_book
