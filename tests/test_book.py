"""The book builds (smoke profile), every page works in a real browser, and every notebook's
checked output equals its golden's.

Executes every notebook of ``_toc.yml`` once, as ``make book PROFILE=smoke`` does, two at a time,
with an empty training cache (each computes its numbers afresh) and the goldens' key numbers at
hand (``LANDSCAPE_GOLDEN_DIR``): the golden tests below compare those executions with
``tests/goldens/`` (what nbval would do, without executing every notebook a second time), then
builds the book and opens every HTML page in headless Chromium, driven by Playwright
(``executable_path="/usr/bin/chromium"``; Playwright's own browser downloads are not used): the
page loads, every ``<img>`` has loaded (``naturalWidth > 0``), MathJax reports no error
(``mjx-merror``), no JavaScript error reaches the console, and every internal link points to an
existing file (and anchor). Screenshots of the index and of one figure page are saved in the
test's folder and copied to ``/tmp/book-helper/`` for a look.

Chromium is required: ``.ci/run`` installs Debian's ``chromium`` when it is missing; elsewhere
``apt-get install chromium``. Set ``LANDSCAPE_SKIP_BOOK_BUILD=1`` to check an existing
``book/executed`` and ``_build/html`` without executing or rebuilding them.
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


#: Notebooks executed at once by the book fixture (each in its own kernel; smoke runs use one thread).
JOBS = 2


@pytest.fixture(scope="module")
def executed_notebooks():
    """Every notebook of _toc.yml executed once at the smoke profile into book/executed, as
    ``make book PROFILE=smoke`` does, with this session's empty training cache (conftest.py)
    and the goldens' key numbers to compare with (their checked cells print the comparison)."""
    if os.environ.get("LANDSCAPE_SKIP_BOOK_BUILD") != "1":
        env = dict(os.environ)
        # the book reads the repository's shipped results (the scorecard, gallery and cite pages),
        # not the empty ones conftest.py gives the tests, and matplotlib's inline backend
        # (conftest.py's MPLBACKEND=Agg would hide every figure)
        for var in ("LANDSCAPE_OUTPUT_DIR", "LANDSCAPE_SHIPPED_DIR", "MPLBACKEND"):
            env.pop(var, None)
        run = subprocess.run([sys.executable, "-m", "landscape.companion.cli", "book", "--profile", "smoke",
                              "--force", "--jobs", str(JOBS)], cwd=ROOT, env=env, capture_output=True, text=True)
        assert run.returncode == 0, f"executing the notebooks failed:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    return ROOT / "book" / "executed"


@pytest.fixture(scope="module")
def built_book(executed_notebooks):
    """The book built from those executions."""
    if os.environ.get("LANDSCAPE_SKIP_BOOK_BUILD") != "1":
        env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
        run = subprocess.run([_bin("jupyter-book"), "build", ".", "-W", "-n", "--keep-going"],
                             cwd=ROOT, env=env, capture_output=True, text=True)
        assert run.returncode == 0, f"jupyter-book build failed:\n{run.stdout[-4000:]}\n{run.stderr[-4000:]}"
    assert (HTML / "index.html").exists(), "no _build/html/index.html"
    return HTML


# ----------------------------------------------------------------------------- goldens
GOLDENS = ROOT / "tests" / "goldens"
CHECK_TAG = "nbval-check-output"


def _checked_text(path: Path) -> str:
    """The printed output of a notebook's checked cell (the key numbers; nbval-lax's comparison)."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    cells = [c for c in nb.cells if c.cell_type == "code" and CHECK_TAG in c.metadata.get("tags", [])]
    assert len(cells) == 1, f"{path.name}: {len(cells)} cells tagged {CHECK_TAG}"
    return "".join(o.get("text", "") for o in cells[0].outputs
                   if o.get("output_type") == "stream" and o.get("name") == "stdout")


@pytest.mark.parametrize("name", sorted(p.stem for p in GOLDENS.glob("*.ipynb")))
def test_notebook_output_equals_its_golden(executed_notebooks, name):
    """The checked cell's printed key numbers equal the golden's, and its last line reports that
    every key number matches ``tests/goldens/<name>.key_numbers.json`` at full precision
    (``landscape.companion.page.golden_check``): a change of any key number or verdict fails."""
    import difflib

    now, golden = _checked_text(executed_notebooks / f"{name}.ipynb"), _checked_text(GOLDENS / f"{name}.ipynb")
    last = now.strip().splitlines()[-1] if now.strip() else ""
    assert last.startswith("golden: all "), f"{name}: {last or 'no output'}"
    if now != golden:
        diff = "\n".join(difflib.unified_diff(golden.splitlines(), now.splitlines(), "golden", "now", lineterm=""))
        pytest.fail(f"{name}: the checked output differs from tests/goldens/{name}.ipynb "
                    f"(regenerate with `landscape goldens {name}` if the change is intended):\n{diff}",
                    pytrace=False)


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


EXPERIMENT_PAGE = re.compile(r"^book/executed/(figure|table)-\d+\.html$")
#: Pages that must show a figure early too: the theorem pages and the Atlas.
EARLY_FIGURE_PAGE = re.compile(r"^book/executed/(theorem-\d+|atlas-[a-z]+)\.html$")
#: The first figure (or, on a table page, the first table or figure) of an experiment page must
#: start within the first screen and a half at 1400 x 900.
FIRST_FIGURE_MAX_Y = 1400
DESKTOP, PHONE = {"width": 1400, "height": 900}, {"width": 390, "height": 844}
#: Pages photographed at both widths (copied to /tmp/book-helper/ for a look).
SHOOT = {"book/intro.html", "book/executed/scorecard.html", FIGURE_PAGE, "book/executed/theorem-3.html"}


@pytest.fixture(scope="module")
def browsed(built_book, tmp_path_factory):
    """Every page opened once in headless Chromium at 1400 x 900, what the two tests below check
    read off it, then the same page at a phone's 390 px width (the viewport resized, no reload):
    ``{page: observations}``, with the requests made outside the book's files."""
    assert Path(CHROMIUM).exists(), (
        f"Chromium not found at {CHROMIUM}: apt-get install -y chromium (.ci/run does this)")
    from playwright.sync_api import sync_playwright

    tmp = tmp_path_factory.mktemp("browser")
    SHOTS_COPY.mkdir(parents=True, exist_ok=True)
    seen: dict[str, dict] = {}
    external: set[str] = set()
    with sync_playwright() as pw:
        # a fresh profile folder: Playwright passes it to Chromium as --user-data-dir
        context = pw.chromium.launch_persistent_context(
            str(tmp / "profile"), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, viewport=DESKTOP)
        # the book must work from the files alone: requests outside file:// are refused, and
        # listed (a warning) rather than failing the test, since they need a network
        context.route(re.compile(r"^(?!file:).*"), lambda route: (external.add(route.request.url), route.abort()))
        try:
            for html in _pages(built_book):
                rel = html.relative_to(built_book).as_posix()
                page = context.new_page()
                errors: list[str] = []
                page.on("console", lambda m, e=errors: e.append(f"console {m.type}: {m.text}")
                        if m.type == "error" and not _refused(m) else None)
                page.on("pageerror", lambda exc, e=errors: e.append(f"page error: {exc}"))
                response = page.goto(html.as_uri(), wait_until="load", timeout=30_000)
                # MathJax typesets asynchronously: wait for it where the page loads it
                page.wait_for_function(
                    "() => !window.MathJax || !window.MathJax.startup || !window.MathJax.startup.promise"
                    " || window.MathJax.startup.promise.then(() => true)", timeout=30_000)
                page.wait_for_timeout(100)
                obs = dict(
                    status=None if response is None or response.ok else response.status,
                    title=page.title(),
                    broken_imgs=page.eval_on_selector_all(
                        "img", "els => els.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)"),
                    imgs=page.locator("img").count(),
                    merror=page.eval_on_selector_all(
                        "mjx-merror", "els => els.map(e => e.getAttribute('data-mjx-error') || e.textContent)"),
                    banners=page.locator("div.admonition.verdict").count(),
                    findings=page.locator("div.admonition.finding").count(),
                    tops=page.eval_on_selector_all(
                        "article img, article div.cell_output table",
                        "els => els.map(e => e.getBoundingClientRect().top + window.scrollY)"),
                    wide=page.eval_on_selector_all(
                        "div.cell_output pre", "els => els.filter(e => e.scrollWidth > e.clientWidth + 1).length"),
                    hrefs=page.eval_on_selector_all("a[href]", "els => els.map(a => a.getAttribute('href'))"))
                name = rel.replace("/", "_").replace(".html", "")
                if rel in SHOOT or rel == "index.html":
                    page.screenshot(path=str(SHOTS_COPY / f"{name}-1400.png"), full_page=rel != "book/executed/scorecard.html")
                page.set_viewport_size(PHONE)
                page.wait_for_timeout(50)
                obs["phone_width"] = page.evaluate("document.documentElement.scrollWidth")
                if rel in SHOOT:
                    page.screenshot(path=str(SHOTS_COPY / f"{name}-390.png"))
                obs["errors"] = errors
                seen[rel] = obs
                page.close()
        finally:
            context.close()
    return seen, external


def test_every_page_in_chromium(browsed):
    """Every page loads, its images load, MathJax reports no error, no JavaScript error reaches
    the console and each figure or theorem page shows an image."""
    seen, external = browsed
    assert len(seen) >= 20, f"only {len(seen)} pages built"
    problems: list[str] = []
    for rel, obs in seen.items():
        if obs["status"] is not None:
            problems.append(f"{rel}: HTTP status {obs['status']}")
        problems += [f"{rel}: image did not load: {src}" for src in obs["broken_imgs"]]
        if re.search(r"/(figure|theorem)-[^/]*\.html$", rel) and obs["imgs"] == 0:
            problems.append(f"{rel}: a figure page without any image")
        if obs["merror"]:
            problems.append(f"{rel}: {len(obs['merror'])} MathJax error(s): {obs['merror'][:3]}")
        if not obs["title"] or "404" in obs["title"]:
            problems.append(f"{rel}: bad title {obs['title']!r}")
        problems += [f"{rel}: {e}" for e in obs["errors"]]
    if external:
        warnings.warn("the book requests resources outside its files (refused in this test; "
                      "MathJax among them means equations need a network): " + ", ".join(sorted(external)))
    assert (SHOTS_COPY / "index-1400.png").exists() and (SHOTS_COPY / f"{FIGURE_PAGE.replace('/', '_')[:-5]}-1400.png").exists()
    assert not problems, "problems in the built book:\n" + "\n".join(problems[:50])


def test_pages_answer_first_and_fit_a_phone(browsed):
    """As a reader sees them: every experiment page opens with its verdict banner, shows its
    first figure (or table) above y = 1400 px at 1400 x 900 (so do the theorem pages, and the
    Atlas pages, which open with their finding and link their maps as PDF and SVG), lets no output block scroll
    sideways (a verdict at the end of a line stays visible) and links its figures as PDF and
    SVG; at 390 px (a phone) no page scrolls sideways except inside a table or code block.
    Screenshots of the intro, the scorecard, a figure page and a theorem page at both widths
    are copied to /tmp/book-helper/."""
    seen, _ = browsed
    experiment = [rel for rel in seen if EXPERIMENT_PAGE.match(rel)]
    assert len(experiment) >= 16, f"only {len(experiment)} figure and table pages"
    problems: list[str] = []
    for rel in experiment:
        obs = seen[rel]
        if obs["banners"] != 1:
            problems.append(f"{rel}: no verdict banner")
        tops = obs["tops"]
        if not tops or min(tops) > FIRST_FIGURE_MAX_Y:
            problems.append(f"{rel}: first figure or table at y = {min(tops) if tops else None} "
                            f"(> {FIRST_FIGURE_MAX_Y})")
        if obs["wide"]:
            problems.append(f"{rel}: {obs['wide']} output block(s) scroll sideways")
        for ext in (".pdf", ".svg"):
            if not any(h.endswith(ext) for h in obs["hrefs"]):
                problems.append(f"{rel}: no {ext} download link")
    early = [rel for rel in seen if EARLY_FIGURE_PAGE.match(rel)]
    assert len([r for r in early if "atlas" in r]) >= 3 and len(early) >= 6, early
    for rel in early:
        obs = seen[rel]
        tops = obs["tops"]
        if not tops or min(tops) > FIRST_FIGURE_MAX_Y:
            problems.append(f"{rel}: first figure at y = {min(tops) if tops else None} (> {FIRST_FIGURE_MAX_Y})")
        if obs["wide"]:
            problems.append(f"{rel}: {obs['wide']} output block(s) scroll sideways")
        if "atlas" in rel:
            if obs["findings"] != 1:
                problems.append(f"{rel}: no finding box at the top")
            for ext in (".pdf", ".svg"):
                if not any(h.endswith(ext) for h in obs["hrefs"]):
                    problems.append(f"{rel}: no {ext} download link")
    for rel, obs in seen.items():
        if rel != "index.html" and obs["phone_width"] > PHONE["width"] + 1:  # index.html: a redirect
            problems.append(f"{rel}: scrolls sideways at 390 px (page width {obs['phone_width']} px)")
    assert all((SHOTS_COPY / f"{rel.replace('/', '_')[:-5]}-{w}.png").exists() for rel in SHOOT for w in (390, 1400))
    assert not problems, "pages that do not answer first or do not fit:\n" + "\n".join(problems[:60])
