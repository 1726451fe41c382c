"""The book builds (smoke profile) and every page works in a real browser.

Builds the book as ``make book PROFILE=smoke`` does (notebooks already executed and unchanged
are not executed again), then opens every HTML page in headless Chromium, driven by Playwright
(``executable_path="/usr/bin/chromium"``; Playwright's own browser downloads are not used), and
checks that the page loads, every ``<img>`` has loaded (``naturalWidth > 0``), MathJax reports
no error (``mjx-merror``), no JavaScript error reaches the console, and every internal link points
to an existing file (and anchor). Screenshots of the index and of one figure page are saved in
the test's folder and copied to ``/tmp/book-helper/`` for a look.

Chromium is required: ``.ci/run`` installs Debian's ``chromium`` when it is missing; elsewhere
``apt-get install chromium``. Set ``LANDSCAPE_SKIP_BOOK_BUILD=1`` to check an existing
``_build/html`` without rebuilding it.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import urllib.parse
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
CHROMIUM = os.environ.get("LANDSCAPE_CHROMIUM", "/usr/bin/chromium")
SHOTS_COPY = Path("/tmp/book-helper")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync",
                 "--disable-dev-shm-usage"]
FIGURE_PAGE = "book/executed/figure-02.html"


def _bin(name: str) -> str:
    return str(Path(sys.executable).parent / name)


@pytest.fixture(scope="module")
def built_book():
    """Execute the notebooks of _toc.yml (smoke; up-to-date ones are skipped) and build the book."""
    if os.environ.get("LANDSCAPE_SKIP_BOOK_BUILD") != "1":
        env = dict(os.environ)
        # the book is built as `make book PROFILE=smoke` builds it: with the repository's own
        # training cache and shipped results, not the empty ones conftest.py gives the tests
        # (and matplotlib's inline backend: conftest.py's MPLBACKEND=Agg would hide every figure)
        for var in ("LANDSCAPE_OUTPUT_DIR", "LANDSCAPE_CACHE_DIR", "LANDSCAPE_SHIPPED_DIR", "MPLBACKEND"):
            env.pop(var, None)
        run = subprocess.run([sys.executable, "-m", "landscape.companion.cli", "book", "--profile", "smoke"],
                             cwd=ROOT, env=env, capture_output=True, text=True)
        assert run.returncode == 0, f"executing the notebooks failed:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
        run = subprocess.run([_bin("jupyter-book"), "build", ".", "-W", "-n", "--keep-going"],
                             cwd=ROOT, env=env, capture_output=True, text=True)
        assert run.returncode == 0, f"jupyter-book build failed:\n{run.stdout[-4000:]}\n{run.stderr[-4000:]}"
    assert (HTML / "index.html").exists(), "no _build/html/index.html"
    return HTML


def _pages(html: Path) -> list[Path]:
    skip = {"genindex.html", "search.html"}
    return sorted(p for p in html.rglob("*.html")
                  if not any(part.startswith("_") for part in p.relative_to(html).parts)
                  and p.name not in skip)


def _refused(message) -> bool:
    """A console error that only reports a refused request for a non-file URL."""
    url = (message.location or {}).get("url", "")
    if message.text.startswith("Got invalid theme mode: ."):
        # pydata-sphinx-theme on the first page of a fresh browser profile (no stored light/dark
        # mode yet): it logs this and falls back to "auto"; harmless, not the book's doing
        return True
    return message.text.startswith("Failed to load resource") and not url.startswith("file:")


def test_chromium_is_installed():
    assert Path(CHROMIUM).exists() or shutil.which("chromium"), (
        f"Chromium not found at {CHROMIUM}: install Debian's package (apt-get install -y chromium; "
        ".ci/run does this) or point LANDSCAPE_CHROMIUM at a Chromium binary")


def test_internal_links_resolve(built_book):
    """Every href/src to a local file names an existing file, and #anchors exist on the page."""
    from html.parser import HTMLParser

    class Links(HTMLParser):
        def __init__(self):
            super().__init__()
            self.links, self.ids = [], set()

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if "id" in a:
                self.ids.add(a["id"])
            for key in ("href", "src"):
                if a.get(key) and not (tag == "link" and a.get("rel") == "preconnect"):
                    self.links.append(a[key])

    ids_cache: dict[Path, set[str]] = {}

    def ids_of(page: Path) -> set[str]:
        if page not in ids_cache:
            p = Links()
            p.feed(page.read_text(errors="replace"))
            ids_cache[page] = p.ids
        return ids_cache[page]

    broken = []
    for page in _pages(built_book):
        parser = Links()
        parser.feed(page.read_text(errors="replace"))
        for link in parser.links:
            url = urllib.parse.urlparse(link)
            if url.scheme or link.startswith("//") or link.startswith("mailto:"):
                continue
            target = page if not url.path else (page.parent / urllib.parse.unquote(url.path)).resolve()
            if not target.exists():
                broken.append(f"{page.relative_to(built_book)}: {link}")
            elif url.fragment and target.suffix == ".html" and url.fragment not in ids_of(target):
                broken.append(f"{page.relative_to(built_book)}: {link} (no such anchor)")
    assert not broken, "broken internal links:\n" + "\n".join(broken[:50])


def test_every_page_in_chromium(built_book, tmp_path):
    assert Path(CHROMIUM).exists(), (
        f"Chromium not found at {CHROMIUM}: apt-get install -y chromium (.ci/run does this)")
    from playwright.sync_api import sync_playwright

    pages = _pages(built_book)
    assert len(pages) >= 20, f"only {len(pages)} pages built"
    problems: list[str] = []
    shots = {}
    with sync_playwright() as pw:
        # a fresh profile folder: Playwright passes it to Chromium as --user-data-dir
        context = pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900})
        external: set[str] = set()
        # the book must work from the files alone: requests outside file:// are refused, and
        # listed (a warning) rather than failing the test, since they need a network
        context.route(re.compile(r"^(?!file:).*"), lambda route: (external.add(route.request.url), route.abort()))
        try:
            for html in pages:
                rel = html.relative_to(built_book).as_posix()
                page = context.new_page()
                errors: list[str] = []
                page.on("console", lambda m, e=errors: e.append(f"console {m.type}: {m.text}")
                        if m.type == "error" and not _refused(m) else None)
                page.on("pageerror", lambda exc, e=errors: e.append(f"page error: {exc}"))
                response = page.goto(html.as_uri(), wait_until="load", timeout=30_000)
                if response is not None and not response.ok:
                    problems.append(f"{rel}: HTTP status {response.status}")
                # MathJax typesets asynchronously: wait for it where the page loads it
                page.wait_for_function(
                    "() => !window.MathJax || !window.MathJax.startup || !window.MathJax.startup.promise"
                    " || window.MathJax.startup.promise.then(() => true)", timeout=30_000)
                page.wait_for_timeout(100)
                broken_imgs = page.eval_on_selector_all(
                    "img", "els => els.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)")
                problems += [f"{rel}: image did not load: {src}" for src in broken_imgs]
                if re.search(r"/(figure|theorem)-[^/]*\.html$", rel) and page.locator("img").count() == 0:
                    problems.append(f"{rel}: a figure page without any image")
                n_merror = page.locator("mjx-merror").count()
                if n_merror:
                    texts = page.eval_on_selector_all("mjx-merror", "els => els.map(e => e.getAttribute('data-mjx-error') || e.textContent)")
                    problems.append(f"{rel}: {n_merror} MathJax error(s): {texts[:3]}")
                title = page.title()
                if not title or "404" in title:
                    problems.append(f"{rel}: bad title {title!r}")
                problems += [f"{rel}: {e}" for e in errors]
                if rel in ("index.html", FIGURE_PAGE, "book/executed/scorecard.html"):
                    shot = tmp_path / (rel.replace("/", "_").replace(".html", ".png"))
                    page.screenshot(path=str(shot), full_page=rel != "book/executed/scorecard.html")
                    shots[rel] = shot
                page.close()
        finally:
            context.close()
    if external:
        warnings.warn("the book requests resources outside its files (refused in this test; "
                      "MathJax among them means equations need a network): " + ", ".join(sorted(external)))
    SHOTS_COPY.mkdir(parents=True, exist_ok=True)
    for shot in shots.values():
        shutil.copy2(shot, SHOTS_COPY / shot.name)
    assert "index.html" in shots and FIGURE_PAGE in shots, f"screenshots missing: {sorted(shots)}"
    assert not problems, "problems in the built book:\n" + "\n".join(problems[:50])


EXPERIMENT_PAGE = re.compile(r"^book/executed/(figure|table)-\d+\.html$")
#: The first figure (or, on a table page, the first table or figure) of an experiment page must
#: start within the first screen and a half at 1400 x 900.
FIRST_FIGURE_MAX_Y = 1400


def test_pages_answer_first_and_fit_a_phone(built_book, tmp_path):
    """As a reader sees them: every experiment page opens with its verdict banner, shows its
    first figure (or table) above y = 1400 px at 1400 x 900, lets no output block scroll
    sideways (a verdict at the end of a line stays visible) and links its figures as PDF and
    SVG; at 390 px (a phone) no page scrolls sideways except inside a table or code block.
    Screenshots of the intro, the scorecard, a figure page and a theorem page at both widths
    are copied to /tmp/book-helper/."""
    from playwright.sync_api import sync_playwright

    pages = _pages(built_book)
    experiment = [p for p in pages if EXPERIMENT_PAGE.match(p.relative_to(built_book).as_posix())]
    assert len(experiment) >= 16, f"only {len(experiment)} figure and table pages"
    shoot = {"book/intro.html", "book/executed/scorecard.html", FIGURE_PAGE, "book/executed/theorem-3.html"}
    problems: list[str] = []
    SHOTS_COPY.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            desktop = browser.new_page(viewport={"width": 1400, "height": 900})
            for html in experiment:
                rel = html.relative_to(built_book).as_posix()
                desktop.goto(html.as_uri(), wait_until="load")
                if desktop.locator("div.admonition.verdict").count() != 1:
                    problems.append(f"{rel}: no verdict banner")
                tops = desktop.eval_on_selector_all(
                    "article img, article div.cell_output table",
                    "els => els.map(e => e.getBoundingClientRect().top + window.scrollY)")
                if not tops or min(tops) > FIRST_FIGURE_MAX_Y:
                    problems.append(f"{rel}: first figure or table at y = {min(tops) if tops else None} "
                                    f"(> {FIRST_FIGURE_MAX_Y})")
                wide = desktop.eval_on_selector_all(
                    "div.cell_output pre", "els => els.filter(e => e.scrollWidth > e.clientWidth + 1).length")
                if wide:
                    problems.append(f"{rel}: {wide} output block(s) scroll sideways")
                hrefs = desktop.eval_on_selector_all("a[href]", "els => els.map(a => a.getAttribute('href'))")
                for ext in (".pdf", ".svg"):
                    if not any(h.endswith(ext) for h in hrefs):
                        problems.append(f"{rel}: no {ext} download link")
            phone = browser.new_page(viewport={"width": 390, "height": 844})
            for html in pages:
                rel = html.relative_to(built_book).as_posix()
                if rel == "index.html":      # a redirect to the intro, checked as book/intro.html
                    continue
                phone.goto(html.as_uri(), wait_until="load")
                width = phone.evaluate("document.documentElement.scrollWidth")
                if width > 391:
                    problems.append(f"{rel}: scrolls sideways at 390 px (page width {width} px)")
                if rel in shoot:
                    name = rel.replace("/", "_").replace(".html", "")
                    phone.screenshot(path=str(SHOTS_COPY / f"{name}-390.png"))
                    desktop.goto(html.as_uri(), wait_until="load")
                    desktop.screenshot(path=str(SHOTS_COPY / f"{name}-1400.png"))
        finally:
            browser.close()
    assert not problems, "pages that do not answer first or do not fit:\n" + "\n".join(problems[:60])
