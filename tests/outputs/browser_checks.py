"""Checks of a page as a real browser lays it out, for the tests of pages blendsim writes.

:func:`layout_check` opens a copy of the page, with a script added, in headless Chromium; the
script measures the laid-out page once it has loaded and writes what it found into the DOM as
JSON, which :func:`blendsim.outputs.browser.dump_dom` brings back.  :func:`require_browser`
gives the browser to a test, or skips it when there is none -- except on CI (``CI=true``),
where a missing browser fails the test: the browser tests must never vanish unseen.
"""

from __future__ import annotations

import html as html_text
import json
import os
import re
import tempfile
from pathlib import Path

import pytest

from blendsim.outputs.browser import dump_dom, find_browser

__all__ = ["CHECK_ID", "layout_check", "require_browser"]

CHECK_ID = "layout-check"

# Runs first (it is put before everything else), so it also sees errors of the page's own
# scripts; on load it measures and writes <pre id="layout-check">JSON</pre> into the body.
_SCRIPT = """<script>
(function () {
  var errors = [];
  window.addEventListener("error", function (e) { errors.push(String(e.message)); });
  window.addEventListener("load", function () {
    var width = %(width)d, selectors = %(selectors)s;
    function name(el) {
      var cls = typeof el.className === "string" ? el.className
        : (el.className && el.className.baseVal) || "";
      return {tag: el.tagName.toLowerCase(), id: el.id || "", "class": cls};
    }
    var wide = [];
    document.querySelectorAll("body *").forEach(function (el) {
      var r = el.getBoundingClientRect();
      if (r.width > 0 && r.right > width + 0.5 && wide.length < 100) {
        var w = name(el); w.right = Math.round(r.right * 10) / 10; wide.push(w);
      }
    });
    var svgs = [];
    document.querySelectorAll("svg").forEach(function (el) {
      var r = el.getBoundingClientRect(), s = name(el);
      s.width = Math.round(r.width * 10) / 10; s.height = Math.round(r.height * 10) / 10;
      s.drawn = el.querySelectorAll(
        "path, line, polyline, polygon, rect, circle, ellipse, text").length;
      svgs.push(s);
    });
    var texts = {};
    selectors.forEach(function (sel) {
      var found = document.querySelectorAll(sel);
      texts[sel] = found.length ? Array.prototype.map.call(found, function (el) {
        return el.textContent.replace(/\\s+/g, " ").trim(); }) : null;
    });
    var out = {
      scroll_width: document.documentElement.scrollWidth,
      body_scroll_width: document.body ? document.body.scrollWidth : 0,
      inner_width: window.innerWidth, wider: wide, svgs: svgs, texts: texts,
      errors: errors
    };
    var pre = document.createElement("pre");
    pre.id = "%(id)s"; pre.style.display = "none";
    pre.textContent = JSON.stringify(out);
    document.body.appendChild(pre);
  });
})();
</script>
"""


def require_browser() -> str:
    """The browser's path; without one, skip the test (locally) or fail it (``CI=true``)."""
    found = find_browser()
    if found is None:
        why = ("no headless Chromium found (install it: apt-get install chromium, or set "
               "BLENDSIM_BROWSER)")
        if os.environ.get("CI") == "true":
            pytest.fail(f"{why}; CI must run the browser tests")
        pytest.skip(why)
    return found


def layout_check(html: Path, page_width_px: int, *, texts: tuple[str, ...] = (),
                 browser: str | None = None, height_px: int = 1123) -> dict:
    """What the browser measured on ``html`` laid out ``page_width_px`` CSS pixels wide.

    Returns a dict with ``scroll_width`` (the document's) and ``body_scroll_width``,
    ``inner_width`` (the window's), ``wider`` (elements whose box ends right of the page:
    ``tag``, ``id``, ``class``, ``right``; at most 100), ``svgs`` (each ``<svg>``'s ``width``,
    ``height``, and ``drawn``: how many path, line, polyline, polygon, rect, circle, ellipse
    and text elements it holds), ``texts`` (each CSS selector of ``texts``, e.g.
    ``"#verdict"`` or ``".assumption"``, -> the whitespace-folded text of every match, or
    ``None`` when nothing matches) and ``errors`` (messages of the page's scripts' errors).

    The copy with the measuring script is a hidden file beside ``html`` (so relative links
    resolve as in the original), removed afterwards.  A4 is 794 x 1123 CSS pixels.
    """
    html = Path(html)
    source = html.read_text(encoding="utf-8")
    script = _SCRIPT % {"width": page_width_px, "selectors": json.dumps(list(texts)),
                        "id": CHECK_ID}
    doctype = re.match(r"\s*<!doctype[^>]*>", source, re.I)
    at = doctype.end() if doctype else 0
    fd, name = tempfile.mkstemp(dir=html.parent, prefix=f".{html.stem}.", suffix=".check.html")
    copy = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(source[:at] + script + source[at:])
        dom = dump_dom(copy, browser=browser, window=(page_width_px, height_px))
    finally:
        copy.unlink(missing_ok=True)
    found = re.search(rf'<pre id="{CHECK_ID}"[^>]*>(.*?)</pre>', dom, re.S)
    if found is None:
        raise AssertionError(f"the layout check did not run on {html}: no #{CHECK_ID} in the "
                             f"DOM the browser returned ({len(dom)} characters)")
    return json.loads(html_text.unescape(found.group(1)))
