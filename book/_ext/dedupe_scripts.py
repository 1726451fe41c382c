"""Sphinx extension: drop repeated identical <script> lines from the built HTML pages.

With Jupyter Book 1.x (Sphinx 7, sphinx-book-theme, sphinx-thebe, sphinx-togglebutton) every
page's <head> lists some inline configuration scripts twice; sphinx-thebe's declares
``const THEBE_JS_URL``, so the browser reports "Identifier 'THEBE_JS_URL' has already been
declared" on every page. The duplicates are added while the page template is rendered, after the
``html-page-context`` handlers, so this extension removes them from the written files when the
build finishes: a ``<script>`` line identical to an earlier one in the same page is dropped.
Nothing else is changed.
"""
from __future__ import annotations

import re
from pathlib import Path

_SCRIPT = re.compile(r"^\s*<script\b.*</script>\s*$")


def dedupe_file(path: Path) -> bool:
    """Remove repeated identical single-line <script> elements; True when the file changed."""
    text = path.read_text(encoding="utf-8")
    seen, out, changed = set(), [], False
    for line in text.splitlines(keepends=True):
        if _SCRIPT.match(line):
            key = line.strip()
            if key in seen:
                changed = True
                continue
            seen.add(key)
        out.append(line)
    if changed:
        path.write_text("".join(out), encoding="utf-8")
    return changed


def _build_finished(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    for path in Path(app.outdir).rglob("*.html"):
        dedupe_file(path)


def setup(app):
    app.connect("build-finished", _build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
