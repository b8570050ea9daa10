"""The headless browser: PDFs with the pages their CSS forces, screenshots of the asked size,
layouts measured in the page, and clear errors that leave no process and no half-written file.

Pages are small and hand-written in ``tmp_path``; each browser run takes a fraction of a
second.  Failures, overruns and Ctrl-C are shown with a stand-in "browser" (a shell script
that starts a helper process, writes half a file and hangs), then an overrun once with the
real one on a page whose script never ends.
"""

from __future__ import annotations

import _thread
import re
import stat
import struct
import subprocess
import threading
import zlib
from pathlib import Path

import pytest
from browser_checks import layout_check, require_browser

from blendsim.errors import BlendsimError, InputError
from blendsim.outputs import browser
from blendsim.outputs.browser import dump_dom, find_browser, pdf_pages, print_pdf, screenshot

A4_PX = 794  # CSS pixels across an A4 page (210 mm at 96 per inch)

TWO_PAGES = """<!doctype html>
<html><head><meta charset="utf-8"><style>
@page { size: A4; margin: 12mm; }
body { font: 11pt sans-serif; margin: 0; }
.appendix { break-before: page; }
</style></head><body>
<h1 id="verdict">The pilot buys 88 conversations a day.</h1>
<p>First page.</p>
<section class="appendix"><h2>Appendix</h2><p>Second page.</p></section>
</body></html>
"""


@pytest.fixture(scope="module")
def chromium():
    return require_browser()


def page(tmp_path: Path, body: str, name: str = "page.html", head: str = "") -> Path:
    path = tmp_path / name
    path.write_text(f"<!doctype html><html><head><meta charset='utf-8'>{head}</head>"
                    f"<body style='margin:0'>{body}</body></html>", encoding="utf-8")
    return path


def png_size_and_first_pixel(data: bytes) -> tuple[int, int, tuple[int, ...]]:
    """(width, height, RGB of the top-left pixel) read from the PNG's own chunks."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height, depth, colour = struct.unpack(">IIBB", data[16:26])
    assert depth == 8 and colour in (2, 6), (depth, colour)
    idat, at = b"", 8
    while at < len(data):
        n, kind = struct.unpack(">I4s", data[at:at + 8])
        if kind == b"IDAT":
            idat += data[at + 8:at + 8 + n]
        at += 12 + n
    raw = zlib.decompress(idat)
    # the first row's filter (none, sub, up, average or Paeth) above an all-zero prior row
    filt, first = raw[0], raw[1:4]
    assert filt in (0, 1, 2, 4) or (filt == 3 and first == b"\x00\x00\x00"), filt
    return width, height, tuple(first)


def live_in_group(pgid: int) -> list[str]:
    """Processes of group ``pgid`` still alive (zombies waiting to be reaped are dead)."""
    ps = subprocess.run(["ps", "-e", "-o", "pgid=,pid=,stat=,comm="], capture_output=True,
                        text=True, check=True).stdout
    return [line for line in ps.splitlines()
            if line.split()[0] == str(pgid) and not line.split()[2].startswith("Z")]


def fake_browser(tmp_path: Path, script: str) -> tuple[Path, Path]:
    """A shell script standing in for the browser; it logs its pid and arguments to a folder."""
    log = tmp_path / "log"
    log.mkdir()
    exe = tmp_path / "fake-browser"
    exe.write_text(f"#!/bin/sh\necho $$ > '{log}/pid'\n"
                   f"for a in \"$@\"; do echo \"$a\"; done > '{log}/args'\n{script}\n")
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    return exe, log


def profile_of(log: Path) -> Path:
    """The --user-data-dir the browser was given."""
    args = (log / "args").read_text().splitlines()
    return Path(next(a for a in args if a.startswith("--user-data-dir=")).partition("=")[2])


# --------------------------------------------------------------------------------------------
# The real browser

def test_print_pdf_gives_the_pages_the_css_forces_on_a4(tmp_path, chromium):
    html = tmp_path / "report.html"
    html.write_text(TWO_PAGES, encoding="utf-8")
    pdf = print_pdf(html, tmp_path / "report.pdf")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    assert pdf_pages(pdf) == 2
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", data)
    assert boxes and all(abs(float(w) - 595.3) < 1.5 and abs(float(h) - 841.9) < 1.5
                         for w, h in boxes), boxes  # A4 in points
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html", "report.pdf"]

    one = page(tmp_path, "<p>just one page</p>", "one.html", "<style>@page{size:A4}</style>")
    assert pdf_pages(print_pdf(one, tmp_path / "one.pdf", browser=chromium)) == 1


def test_print_pdf_replaces_an_older_pdf(tmp_path, chromium):
    html = page(tmp_path, "<p>new</p>")
    pdf = tmp_path / "out.pdf"
    pdf.write_bytes(b"old")
    print_pdf(html, pdf)
    assert pdf.read_bytes().startswith(b"%PDF-") and pdf_pages(pdf) == 1


def test_screenshot_is_a_png_of_the_asked_size_showing_the_page(tmp_path, chromium):
    html = page(tmp_path, "<div style='height:100%'></div>",
                head="<style>html,body{background:rgb(200,30,40);height:100%}</style>")
    png = screenshot(html, tmp_path / "shot.png", width=640, height=400)
    width, height, pixel = png_size_and_first_pixel(png.read_bytes())
    assert (width, height) == (640, 400)
    assert all(abs(a - b) <= 2 for a, b in zip(pixel, (200, 30, 40), strict=True)), pixel
    big = screenshot(html, tmp_path / "a4.png")
    assert png_size_and_first_pixel(big.read_bytes())[:2] == (1240, 1754)


def test_dump_dom_returns_what_the_scripts_wrote(tmp_path, chromium):
    html = page(tmp_path, "<p id='a'>static</p><script>setTimeout(function () {"
                "document.getElementById('a').textContent = 'written ' + (6 * 7);}, 300)"
                "</script>")
    dom = dump_dom(html, budget_ms=2000)
    assert '<p id="a">written 42</p>' in dom


def test_layout_check_finds_the_over_wide_element_and_counts_svg_drawing(tmp_path, chromium):
    svg = ("<svg id='chart' width='300' height='120'><rect width='10' height='50'/>"
           "<line x1='0' y1='0' x2='9' y2='9'/><path d='M0 0L5 5'/><text>SL</text></svg>"
           "<svg class='blank' width='50' height='40'></svg>")
    wide = page(tmp_path, f"<h1 id='verdict'>A  verdict\n here</h1>{svg}"
                "<table id='big' style='width:1200px'><tr><td>x</td></tr></table>", "wide.html")
    found = layout_check(wide, A4_PX, texts=("#verdict", ".missing"))
    assert found["inner_width"] == A4_PX
    assert found["scroll_width"] >= 1200
    wider = {(w["tag"], w["id"]) for w in found["wider"]}
    assert ("table", "big") in wider
    assert all(w["right"] > A4_PX for w in found["wider"])
    chart, blank = found["svgs"]
    assert (chart["id"], chart["width"], chart["height"], chart["drawn"]) == ("chart", 300,
                                                                             120, 4)
    assert (blank["class"], blank["drawn"]) == ("blank", 0)
    assert found["texts"] == {"#verdict": ["A verdict here"], ".missing": None}
    assert found["errors"] == []

    fits = page(tmp_path, f"<h1>fits</h1>{svg}<table style='width:100%'><tr><td>x</td></tr>"
                "</table><script>undefinedFunction()</script>", "fits.html")
    found = layout_check(fits, A4_PX)
    assert found["wider"] == []
    assert found["scroll_width"] <= A4_PX
    assert len(found["svgs"]) == 2
    assert found["errors"] and "undefinedFunction" in found["errors"][0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fits.html", "wide.html"]


def test_a_real_browser_that_overruns_is_stopped_and_leaves_nothing(tmp_path, chromium):
    html = page(tmp_path, "<script>while (true) {}</script>")
    with pytest.raises(BlendsimError, match=r"did not finish making a PDF of .* within 2 s"):
        print_pdf(html, tmp_path / "never.pdf", timeout=2)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["page.html"]


# --------------------------------------------------------------------------------------------
# Finding the browser, and a missing one

def test_find_browser_takes_blendsim_browser_first(monkeypatch, tmp_path):
    exe, _ = fake_browser(tmp_path, "exit 0")
    monkeypatch.setenv("BLENDSIM_BROWSER", str(exe))
    assert find_browser() == str(exe)
    monkeypatch.setenv("BLENDSIM_BROWSER", "/nonexistent")
    assert find_browser() is None  # the one asked for, or none: no quiet fallback


def test_find_browser_looks_on_path_then_in_usr_bin(monkeypatch, tmp_path):
    monkeypatch.delenv("BLENDSIM_BROWSER", raising=False)
    exe, _ = fake_browser(tmp_path, "exit 0")
    exe.rename(tmp_path / "google-chrome")
    monkeypatch.setenv("PATH", str(tmp_path))
    assert find_browser() == str(tmp_path / "google-chrome")
    monkeypatch.setenv("PATH", "")
    monkeypatch.setattr(browser, "DEBIAN_BROWSER", str(tmp_path / "google-chrome"))
    assert find_browser() == str(tmp_path / "google-chrome")
    monkeypatch.setattr(browser, "DEBIAN_BROWSER", str(tmp_path / "nothing-here"))
    assert find_browser() is None


def test_no_browser_says_how_to_install_one(monkeypatch, tmp_path):
    html = page(tmp_path, "<p>x</p>")
    monkeypatch.setenv("BLENDSIM_BROWSER", "/nonexistent")
    with pytest.raises(BlendsimError, match=r"BLENDSIM_BROWSER='/nonexistent' is not an "
                       r"executable.*apt-get install chromium"):
        print_pdf(html, tmp_path / "x.pdf")
    monkeypatch.delenv("BLENDSIM_BROWSER")
    monkeypatch.setenv("PATH", "")
    monkeypatch.setattr(browser, "DEBIAN_BROWSER", str(tmp_path / "nothing-here"))
    with pytest.raises(BlendsimError, match=r"no Chromium or Chrome browser found \(none of "
                       r"chromium, .* is on PATH.*or set BLENDSIM_BROWSER"):
        screenshot(html, tmp_path / "x.png")
    with pytest.raises(InputError, match=r"browser must be an executable .*'/nonexistent'"):
        dump_dom(html, browser="/nonexistent")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["page.html"]


def test_require_browser_fails_on_ci_and_skips_elsewhere(monkeypatch):
    monkeypatch.setenv("BLENDSIM_BROWSER", "/nonexistent")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must run the browser tests"):
        require_browser()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium"):
        require_browser()


# --------------------------------------------------------------------------------------------
# Bad arguments

@pytest.mark.parametrize("timeout", [0, -1, 601, float("nan"), True, "10"])
def test_timeout_is_bounded(tmp_path, timeout):
    html = page(tmp_path, "<p>x</p>")
    with pytest.raises(InputError, match=r"timeout must be a number of seconds in \(0, 600\]"):
        print_pdf(html, tmp_path / "x.pdf", timeout=timeout)


@pytest.mark.parametrize("size", [(0, 100), (100, 16_385), (12.5, 100), (100, None)])
def test_screenshot_size_is_bounded(tmp_path, size):
    html = page(tmp_path, "<p>x</p>")
    with pytest.raises(InputError, match=r"(width|height) must be a whole number of pixels "
                       r"in \[1, 16384\]"):
        screenshot(html, tmp_path / "x.png", width=size[0], height=size[1])


def test_dump_dom_budget_and_window_are_bounded(tmp_path):
    html = page(tmp_path, "<p>x</p>")
    with pytest.raises(InputError, match=r"budget_ms must be a whole number .*\(got -1\)"):
        dump_dom(html, budget_ms=-1)
    with pytest.raises(InputError, match=r"budget_ms must be a whole number .*\(got 60001\)"):
        dump_dom(html, budget_ms=60_001)
    with pytest.raises(InputError, match=r"budget_ms must be below timeout \(got "
                       r"budget_ms=5000 with timeout=2 s\)"):
        dump_dom(html, timeout=2)
    with pytest.raises(InputError, match=r"window must be \(width, height\)"):
        dump_dom(html, window=800)
    with pytest.raises(InputError, match=r"width must be a whole number .*\(got 0\)"):
        dump_dom(html, window=(0, 600))


def test_missing_page_or_folder_is_named(tmp_path):
    with pytest.raises(InputError, match=r"html must be an existing file \(got '.*nope.html'"):
        print_pdf(tmp_path / "nope.html", tmp_path / "x.pdf")
    html = page(tmp_path, "<p>x</p>")
    with pytest.raises(InputError, match=r"the folder of '.*no-such/x.pdf' does not exist"):
        print_pdf(html, tmp_path / "no-such" / "x.pdf")
    with pytest.raises(InputError, match=r"is a folder; give a file name inside it"):
        print_pdf(html, tmp_path)


def test_pdf_pages_counts_pages_not_the_page_tree(tmp_path):
    plain = tmp_path / "plain.pdf"
    plain.write_bytes(b"%PDF-1.4\n1 0 obj <</Type /Pages /Kids [2 0 R 3 0 R] /Count 2>>\n"
                      b"2 0 obj <</Type/Page /Parent 1 0 R>>\n"
                      b"3 0 obj <</Type /Page\n/Parent 1 0 R>>\n%%EOF\n")
    assert pdf_pages(plain) == 2
    packed = zlib.compress(b"<</Type /Page /Parent 1 0 R>> <</Type /Page /Parent 1 0 R>> "
                           b"<</Type /Page>> <</Type /Pages /Count 3>>")
    objstm = tmp_path / "objstm.pdf"
    objstm.write_bytes(b"%%PDF-1.5\n5 0 obj <</Type /ObjStm /N 4 /First 0 /Filter /FlateDecode"
                       b" /Length %d>>\nstream\n" % len(packed) + packed +
                       b"\nendstream endobj\n%%EOF\n")
    assert pdf_pages(objstm) == 3
    not_pdf = tmp_path / "not.pdf"
    not_pdf.write_bytes(b"<html>")
    with pytest.raises(InputError, match=r"pdf is not a PDF file .*not.pdf"):
        pdf_pages(not_pdf)
    with pytest.raises(InputError, match=r"pdf cannot be read: '.*missing.pdf'"):
        pdf_pages(tmp_path / "missing.pdf")


# --------------------------------------------------------------------------------------------
# A browser that fails, overruns or is interrupted (a stand-in script)

HALF_THEN_HANG = """
for a in "$@"; do case "$a" in --print-to-pdf=*) printf '%%PDF-1.4 half' > "${a#*=}";; esac; done
sleep 60 &
echo "[1:1:ERROR:bus.cc] Failed to connect to the bus: dbus noise" >&2
echo "still loading the page" >&2
sleep 60
"""


def test_a_failing_browser_is_quoted_and_leaves_no_file(tmp_path):
    exe, _ = fake_browser(tmp_path, "echo 'Fontconfig error: no fonts' >&2\n"
                          "echo 'cannot open the display' >&2\n"
                          "echo '[2:2:ERROR:dbus/bus.cc] Failed to connect to the bus' >&2\n"
                          "exit 3")
    html = page(tmp_path, "<p>x</p>")
    with pytest.raises(BlendsimError, match=r"fake-browser failed making a PDF of .*page.html"
                       r"' \(exit code 3\); its last message: cannot open the display$"):
        print_pdf(html, tmp_path / "x.pdf", browser=str(exe))
    assert not (tmp_path / "x.pdf").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_a_browser_that_writes_nothing_or_junk_is_an_error(tmp_path):
    html = page(tmp_path, "<p>x</p>")
    exe, _ = fake_browser(tmp_path, "echo 'done' >&2")
    with pytest.raises(BlendsimError, match=r"fake-browser wrote no PNG of .*page.html'; its "
                       r"last message: done"):
        screenshot(html, tmp_path / "x.png", browser=str(exe))
    exe.write_text("#!/bin/sh\nfor a in \"$@\"; do case \"$a\" in --print-to-pdf=*) "
                   "echo junk > \"${a#*=}\";; esac; done\n")
    with pytest.raises(BlendsimError, match="wrote no PDF"):
        print_pdf(html, tmp_path / "x.pdf", browser=str(exe))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fake-browser", "log", "page.html"]


def test_an_overrun_kills_the_whole_group_and_removes_the_half_file(tmp_path):
    exe, log = fake_browser(tmp_path, HALF_THEN_HANG)
    html = page(tmp_path, "<p>x</p>")
    with pytest.raises(BlendsimError, match=r"fake-browser did not finish making a PDF of "
                       r".*page.html' within 0.5 s and was stopped; its last message: still "
                       r"loading the page$"):
        print_pdf(html, tmp_path / "x.pdf", browser=str(exe), timeout=0.5)
    pgid = int((log / "pid").read_text())
    assert live_in_group(pgid) == []  # the script and its `sleep 60` helper
    assert not profile_of(log).parent.exists()  # the work folder with the profile
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fake-browser", "log", "page.html"]


def test_ctrl_c_kills_the_browser_group_and_cleans_up(tmp_path):
    exe, log = fake_browser(tmp_path, HALF_THEN_HANG)
    html = page(tmp_path, "<p>x</p>")
    timer = threading.Timer(0.5, _thread.interrupt_main)
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            print_pdf(html, tmp_path / "x.pdf", browser=str(exe), timeout=30)
    finally:
        timer.cancel()
    pgid = int((log / "pid").read_text())
    assert live_in_group(pgid) == []
    assert not profile_of(log).parent.exists()  # the work folder with the profile
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fake-browser", "log", "page.html"]
