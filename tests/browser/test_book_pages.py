"""Every page of the built (fast) book, read in headless Chromium as a reader would.

A page passes when it loads with no console error and no failed or off-site request (the book is
served offline, MathJax included), every equation is typeset (no ``$$`` or ``\\(`` left in the text,
every ``.math`` element holds MathJax's output), every image has loaded, every internal link and
cross-reference resolves, the search page finds a chapter by a word in it, and a chapter is usable
at a phone's width. Screenshots land in ``_build/screenshots/``.
"""

import json
import re
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
import yaml
from bs4 import BeautifulSoup

from tests.browser.conftest import SCREENSHOTS, new_driver, serve
from tests.conftest import CHAPTERS, ROOT

pytestmark = pytest.mark.book

PAGES = ["book/index.html", *(f"book/{c.stem}.html" for c in CHAPTERS), "book/notation.html"]
PAGES += ["book/references.html"]
PAGES += ["book/instructors.html"] if (ROOT / "book" / "instructors.md").exists() else []
# Hosts a published page must never point at unless the publisher configured them.
PLACEHOLDERS = ("example.edu", "example.com", "example.org", "github.com/seqcourse")

WAIT_FOR_MATHJAX = """
const done = arguments[arguments.length - 1];
for (const image of document.images) image.loading = "eager";
const images = Promise.all([...document.images].map(i => i.decode().catch(() => null)));
const math = (window.MathJax && MathJax.startup && MathJax.startup.promise) || Promise.resolve();
Promise.all([images, math]).then(() => done(!!window.MathJax), e => done("error: " + e));
"""
PAGE_FACTS = """
const skip = "pre, code, script, style, mjx-container, textarea, .highlight";
const root = document.querySelector("main") || document.body || document.documentElement;
const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {acceptNode(node) {
  return node.parentElement.closest(skip) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT;
}});
let text = "";
while (walker.nextNode()) text += walker.currentNode.textContent;
const math = [...document.querySelectorAll("span.math, div.math")];
return {
  text: text,
  math: math.length,
  untypeset: math.filter(e => !e.querySelector("mjx-container"))
    .map(e => e.textContent.slice(0, 60)),
  broken_images: [...document.images].filter(i => !i.complete || i.naturalWidth === 0)
    .map(i => i.src),
  images: document.images.length,
  title: document.title,
};
"""
RAW_TEX = re.compile(r"\$\$|\\\(|\\\)|\\\[|\\\]|\\begin\{|\\frac|\\mathbf")


def _network_problems(driver, base: str) -> list[str]:
    problems = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        params = message.get("params", {})
        if message["method"] == "Network.requestWillBeSent":
            url = params["request"]["url"]
            if not url.startswith((base, "data:", "blob:", "about:", "chrome")):
                problems.append(f"off-site request: {url}")
        elif message["method"] == "Network.responseReceived":
            status = params["response"]["status"]
            if status >= 400:
                problems.append(f"HTTP {status}: {params['response']['url']}")
        elif message["method"] == "Network.loadingFailed" and not params.get("canceled"):
            problems.append(f"failed request ({params.get('errorText')}): {params.get('type')}")
    return problems


@pytest.fixture(scope="module")
def reader():
    driver = new_driver()
    yield driver
    driver.quit()


def page_problems(driver, base: str, page: str) -> tuple[list[str], dict]:
    """``(problems, facts)``: everything wrong with ``page`` as Chromium shows it (no problems when
    the page is clean), and what PAGE_FACTS read from it."""
    for log in ("browser", "performance"):
        driver.get_log(log)  # reading a log empties it: start from a clean one
    driver.get(f"{base}/{page}")
    has_mathjax = driver.execute_async_script(WAIT_FOR_MATHJAX)
    facts = driver.execute_script(PAGE_FACTS)
    problems = [
        f"console: {e['message']}" for e in driver.get_log("browser") if e["level"] == "SEVERE"
    ]
    problems += _network_problems(driver, base)
    if facts["math"] and has_mathjax is not True:
        problems.append(f"MathJax did not run ({has_mathjax})")
    problems += [f"untypeset equation: {text}" for text in facts["untypeset"][:5]]
    raw = sorted({m.group(0) for m in RAW_TEX.finditer(facts["text"])})
    problems += [f"raw TeX in the text: {raw}"] if raw else []
    problems += [f"image did not load: {src}" for src in facts["broken_images"]]
    return problems, facts


@pytest.mark.parametrize("page", PAGES)
def test_page_loads_cleanly_with_equations_and_images(reader, book_server, page):
    base, html = book_server
    problems, facts = page_problems(reader, base, page)
    assert not problems, f"{page}:\n" + "\n".join(problems)
    if page.startswith("book/") and page[5:7].isdigit():
        assert facts["math"] > 0 or facts["images"] > 0, f"{page}: neither equations nor figures?"
    if page in ("book/index.html", "book/02_rnn_from_scratch.html", "book/12_attention.html"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        reader.save_screenshot(str(SCREENSHOTS / page.replace("/", "_").replace(".html", ".png")))


def test_the_site_root_leads_to_the_book(reader, book_server):
    from selenium.webdriver.support.ui import WebDriverWait

    base, _ = book_server
    reader.get(f"{base}/index.html")
    WebDriverWait(reader, 20).until(
        lambda d: d.current_url.endswith("/book/index.html"), "index.html did not redirect"
    )
    assert not [e for e in reader.get_log("browser") if e["level"] == "SEVERE"]


def _ids(path: Path, cache: dict) -> set[str]:
    if path not in cache:
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        cache[path] = {tag["id"] for tag in soup.select("[id]")}
    return cache[path]


def broken_links(html: Path) -> tuple[int, list[str]]:
    """``(links checked, broken ones)`` over every page under ``html``."""
    broken, ids, checked = [], {}, 0
    for page in sorted(html.rglob("*.html")):
        if "_static" in page.parts or "_sources" in page.parts:
            continue
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for anchor in soup.select("a[href]"):
            href = anchor["href"]
            if href.startswith(("http://", "https://", "mailto:", "javascript:")):
                continue
            parts = urlsplit(urljoin(page.relative_to(html).as_posix(), href))
            target = html / unquote(parts.path) if parts.path else page
            if target.is_dir():
                target = target / "index.html"
            checked += 1
            if not target.is_file():
                broken.append(f"{page.relative_to(html)}: {href} (no such file)")
            elif parts.fragment and target.suffix == ".html":
                if unquote(parts.fragment) not in _ids(target, ids):
                    broken.append(f"{page.relative_to(html)}: {href} (no such anchor)")
    return checked, broken


def test_every_internal_link_and_cross_reference_resolves(book_server):
    checked, broken = broken_links(book_server[1])
    assert checked > 200, f"only {checked} internal links found: is the book built?"
    assert not broken, "\n".join(broken[:30])


def test_no_page_links_to_a_placeholder_or_unconfigured_host(book_server):
    _, html = book_server
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    launch = config.get("launch_buttons") or {}
    unconfigured = [
        host
        for host, key in (
            ("colab.research.google.com", "colab_url"),
            ("mybinder.org", "binderhub_url"),
        )
        if not launch.get(key)
    ]
    found = []
    for page in sorted(html.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        for host in (*PLACEHOLDERS, *unconfigured):
            if host in text:
                found.append(f"{page.relative_to(html)} names {host}")
    assert not found, "\n".join(found[:20])


def test_search_finds_a_chapter_by_a_word_in_it(reader, book_server):
    base, _ = book_server
    reader.get(f"{base}/search.html?q=perplexity")
    from selenium.webdriver.support.ui import WebDriverWait

    def results(driver):
        links = driver.execute_script(
            "return [...document.querySelectorAll('#search-results a, ul.search a')]"
            ".map(a => a.getAttribute('href'))"
        )
        return links if any("10_language_models" in link for link in links) else False

    links = WebDriverWait(reader, 30).until(results, "the search page listed no chapter 10")
    assert any("10_language_models" in link for link in links)


def test_a_chapter_is_usable_at_a_phone_width(book_server):
    base, _ = book_server
    phone = new_driver(width=390, height=844)
    try:
        phone.get(f"{base}/book/02_rnn_from_scratch.html")
        phone.execute_async_script(WAIT_FOR_MATHJAX)
        layout = phone.execute_script(
            """
            const main = document.querySelector("main") || document.body;
            const sidebar = document.querySelector("#pst-primary-sidebar, .bd-sidebar-primary");
            return {
              page: document.documentElement.scrollWidth, viewport: window.innerWidth,
              main: main.getBoundingClientRect().width,
              sidebar: sidebar ? sidebar.getBoundingClientRect().right : 0,
              toggle: !!document.querySelector("button.primary-toggle, label.sidebar-toggle"),
            };
            """
        )
        assert layout["page"] <= layout["viewport"] + 1, f"the page scrolls sideways: {layout}"
        assert layout["main"] >= 0.85 * layout["viewport"], f"text squeezed: {layout}"
        assert layout["sidebar"] <= 0 or layout["sidebar"] >= layout["viewport"], layout
        assert layout["toggle"], "no button to open the navigation on a phone"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        phone.save_screenshot(str(SCREENSHOTS / "book_02_rnn_from_scratch_phone.png"))
    finally:
        phone.quit()


BROKEN_PAGE = """<!DOCTYPE html><html><head><title>broken</title>
<script>undefinedFunction();</script></head><body><main>
<p>An equation left as $$x^2$$ and \\(y\\).</p>
<img src="missing.png" alt="missing">
<a href="nowhere.html">a dead link</a> <a href="#no-such-anchor">a dead anchor</a>
</main></body></html>"""


def test_the_checks_catch_a_broken_page(reader, tmp_path):
    """The same checks on a page with each fault: every one is reported (the suite can fail)."""
    (tmp_path / "broken.html").write_text(BROKEN_PAGE)
    (tmp_path / "favicon.ico").write_bytes((ROOT / "_extra" / "favicon.ico").read_bytes())
    with serve(tmp_path) as base:
        problems = "\n".join(page_problems(reader, base, "broken.html")[0])
    assert "undefinedFunction" in problems, problems
    assert "raw TeX" in problems and "$$" in problems, problems
    assert "image did not load" in problems and "HTTP 404" in problems, problems
    checked, broken = broken_links(tmp_path)
    assert checked == 2 and len(broken) == 2, broken
