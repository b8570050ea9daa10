"""A headless Chromium for pages blendsim writes: print to PDF, screenshot, the DOM after scripts.

The report is an HTML file; printing it to PDF, taking a picture of it and reading back what
its scripts measured are all one run of a headless Chromium (or Chrome) on the file.  Each run
gets a fresh, empty profile folder (removed afterwards), and the flags that keep a headless
browser off the network: a closed network otherwise costs it many refused connections at every
start.  The browser runs in a process group of its own, which is killed when the run ends, when
it overruns its ``timeout`` and on Ctrl-C, so no browser process outlives the call.  A file it
writes goes to a hidden temporary name in the destination folder and is renamed once complete
and checked, so a failure never leaves half a PDF or PNG where the caller asked for one.

Only the standard library is used: a PDF's pages are counted from its page objects, without a
PDF library.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import zlib
from pathlib import Path

from blendsim.errors import BlendsimError, InputError

__all__ = [
    "BROWSER_NAMES",
    "DEBIAN_BROWSER",
    "MAX_BUDGET_MS",
    "MAX_SCREENSHOT_PX",
    "MAX_TIMEOUT",
    "dump_dom",
    "find_browser",
    "pdf_pages",
    "print_pdf",
    "screenshot",
]

BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
DEBIAN_BROWSER = "/usr/bin/chromium"  # Debian's package, also when PATH leaves /usr/bin out
MAX_TIMEOUT = 600.0  # seconds a browser run may take (a report prints in about a second)
MAX_SCREENSHOT_PX = 16_384  # width or height of a window or screenshot (a 1 GB picture at most)
MAX_BUDGET_MS = 60_000  # virtual milliseconds a page's scripts get before the DOM is read

# --no-sandbox: Chromium refuses to start as root with its sandbox (CI runs as root), and the
# page is blendsim's own file.  The rest keep a headless run from reaching out to the network.
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-extensions", "--hide-scrollbars", "--mute-audio",
)
_POLL = 0.02  # seconds between looks at a running browser
# Lines a headless run prints on a machine without a desktop session (and Debian's launcher
# script's own complaint about a shared-memory test): never the reason a run failed, so the
# message quotes the last line that is not one of them.
_NOISE = re.compile(r"dbus|Fontconfig|bytes written to file|DevTools listening|"
                    r": \d+: \[: .*unexpected operator", re.I)
_PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")
_OBJECT_STREAM = re.compile(rb"/Type\s*/ObjStm\b.*?>>\s*stream\r?\n", re.S)
_PDF_SIGNATURE = b"%PDF-"
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def find_browser() -> str | None:
    """The Chromium or Chrome to run, or ``None`` when there is none.

    ``$BLENDSIM_BROWSER`` (a path or a command name) when it is set: then that one or none, as
    the user asked for it.  Otherwise the first of ``chromium``, ``chromium-browser``,
    ``google-chrome`` and ``google-chrome-stable`` on ``PATH``, then ``/usr/bin/chromium``.
    """
    wanted = os.environ.get("BLENDSIM_BROWSER", "").strip()
    if wanted:
        return shutil.which(wanted)
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return shutil.which(DEBIAN_BROWSER)


def print_pdf(html: Path, pdf: Path, *, browser: str | None = None,
              timeout: float = 120) -> Path:
    """Print ``html`` to ``pdf`` as the browser prints it, without header or footer lines.

    The page's own ``@page`` CSS sets the paper size and margins.

    Parameters
    ----------
    html : Path
        The page, an existing file.
    pdf : Path
        Where the PDF goes; its folder must exist.  Replaced only by a complete PDF.
    browser : str, optional
        The browser to run (a path or a command name); default :func:`find_browser`.
    timeout : float
        Seconds the browser may take, in (0, 600]; it is killed past them.

    Returns
    -------
    Path
        ``pdf``.

    Raises
    ------
    InputError
        ``html`` missing, the folder of ``pdf`` missing, ``timeout`` out of range.
    BlendsimError
        No browser found (the message says how to install one), or the browser failed or
        overran ``timeout`` (the message quotes its last line of errors).
    """
    return _render(html, pdf, "--print-to-pdf", ("--no-pdf-header-footer",), _PDF_SIGNATURE,
                   "PDF", browser=browser, timeout=timeout)


def screenshot(html: Path, png: Path, *, width: int = 1240, height: int = 1754,
               browser: str | None = None, timeout: float = 120) -> Path:
    """A PNG picture of the top of ``html`` in a window ``width`` x ``height`` pixels.

    The default is an A4 page at 150 dots per inch (8.27 x 11.69 inches).

    Parameters
    ----------
    html : Path
        The page, an existing file.
    png : Path
        Where the PNG goes; its folder must exist.  Replaced only by a complete PNG.
    width, height : int
        The window's size in CSS pixels, each in [1, 16384]; the PNG has this size.
    browser : str, optional
        The browser to run; default :func:`find_browser`.
    timeout : float
        Seconds the browser may take, in (0, 600].

    Returns
    -------
    Path
        ``png``.

    Raises
    ------
    InputError, BlendsimError
        As :func:`print_pdf`, and for a size out of range.
    """
    return _render(html, png, "--screenshot", (_window_flag(width, height),),
                   _PNG_SIGNATURE, "PNG", browser=browser, timeout=timeout)


def dump_dom(html: Path, *, browser: str | None = None, timeout: float = 120,
             budget_ms: int = 5000, window: tuple[int, int] | None = None) -> str:
    """The page's DOM as HTML text after its scripts ran (what they wrote into it included).

    Parameters
    ----------
    html : Path
        The page, an existing file.
    browser : str, optional
        The browser to run; default :func:`find_browser`.
    timeout : float
        Seconds the browser may take, in (0, 600].
    budget_ms : int
        Virtual milliseconds the page's scripts and timers get before the DOM is read, in
        [0, 60000] and below ``timeout``.  Virtual time runs as fast as the page lets it, so a
        page with nothing left to do is read at once.
    window : (int, int), optional
        The window's width and height in CSS pixels, each in [1, 16384], for a layout
        measured at a given width; default the browser's own (780 x 437 seen with
        Chromium 150).  Headless Chromium gives the page the full width but a height some
        140 pixels short of it (``innerHeight``), as if the window had a title bar.

    Returns
    -------
    str
        The serialised DOM.

    Raises
    ------
    InputError, BlendsimError
        As :func:`print_pdf`, and for a budget out of range.
    """
    timeout = _check_timeout(timeout)
    if isinstance(budget_ms, bool) or not isinstance(budget_ms, int) or not (
            0 <= budget_ms <= MAX_BUDGET_MS):
        raise InputError(f"budget_ms must be a whole number of milliseconds in "
                         f"[0, {MAX_BUDGET_MS}] (got {budget_ms!r})")
    if budget_ms >= 1000 * timeout:
        raise InputError(f"budget_ms must be below timeout (got budget_ms={budget_ms} with "
                         f"timeout={timeout:g} s)")
    if window is not None and not (isinstance(window, tuple | list) and len(window) == 2):
        raise InputError(f"window must be (width, height) in pixels (got {window!r})")
    size = [] if window is None else [_window_flag(*window)]
    page = _check_page(html)
    exe = _browser(browser)
    with tempfile.TemporaryDirectory(prefix="blendsim-browser-") as work:
        out = Path(work) / "dom.html"
        _run(exe, ["--dump-dom", f"--virtual-time-budget={budget_ms}", *size], page,
             Path(work), timeout, stdout=out, doing="reading the DOM of")
        return out.read_text(encoding="utf-8", errors="replace")


def pdf_pages(pdf: Path) -> int:
    """The number of pages of ``pdf``, counted from its ``/Type /Page`` objects.

    Page objects inside compressed object streams (PDF 1.5) are counted too; the ``/Pages``
    objects of the page tree are not pages and are not counted.

    Raises
    ------
    InputError
        ``pdf`` missing or not a PDF.
    """
    path = Path(pdf)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise InputError(f"pdf cannot be read: {str(path)!r} ({_reason(e)})") from None
    if not data.startswith(_PDF_SIGNATURE):
        raise InputError(f"pdf is not a PDF file (it does not start with %PDF-): "
                         f"{str(path)!r}")
    pages = len(_PAGE.findall(data))
    for m in _OBJECT_STREAM.finditer(data):
        with contextlib.suppress(zlib.error):
            pages += len(_PAGE.findall(zlib.decompressobj().decompress(data[m.end():])))
    return pages


# --------------------------------------------------------------------------------------------
# One run of the browser

def _reason(e: OSError) -> str:
    text = e.strerror or str(e) or type(e).__name__
    return text[:1].lower() + text[1:]


def _check_timeout(timeout) -> float:
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not (
            0 < timeout <= MAX_TIMEOUT) or math.isnan(timeout):
        raise InputError(f"timeout must be a number of seconds in (0, {MAX_TIMEOUT:g}] "
                         f"(got {timeout!r})")
    return float(timeout)


def _window_flag(width, height) -> str:
    for name, value in (("width", width), ("height", height)):
        if isinstance(value, bool) or not isinstance(value, int) or not (
                1 <= value <= MAX_SCREENSHOT_PX):
            raise InputError(f"{name} must be a whole number of pixels in "
                             f"[1, {MAX_SCREENSHOT_PX}] (got {value!r})")
    return f"--window-size={width},{height}"


def _check_page(html) -> Path:
    page = Path(html)
    if not page.is_file():
        raise InputError(f"html must be an existing file (got {str(page)!r})")
    return page.resolve()


def _browser(browser: str | None) -> str:
    if browser is not None:
        found = shutil.which(str(browser))
        if found is None:
            raise InputError(f"browser must be an executable file or a command on PATH "
                             f"(got {str(browser)!r})")
        return found
    found = find_browser()
    if found is not None:
        return found
    wanted = os.environ.get("BLENDSIM_BROWSER", "").strip()
    looked = (f"BLENDSIM_BROWSER={wanted!r} is not an executable file or a command on PATH"
              if wanted else f"none of {', '.join(BROWSER_NAMES)} is on PATH and there is "
              f"no {DEBIAN_BROWSER}")
    raise BlendsimError(f"no Chromium or Chrome browser found ({looked}); install one (on "
                        "Debian: apt-get install chromium) or set BLENDSIM_BROWSER to its path")


def _render(html, target, flag: str, extra: tuple[str, ...], signature: bytes, kind: str, *,
            browser: str | None, timeout: float) -> Path:
    """Run the browser with ``flag=<temporary file>`` and move a good result to ``target``."""
    timeout = _check_timeout(timeout)
    page = _check_page(html)
    target = Path(target)
    folder = target.parent
    if not folder.is_dir():
        raise InputError(f"the folder of {str(target)!r} does not exist")
    if target.is_dir():
        raise InputError(f"{str(target)!r} is a folder; give a file name inside it")
    exe = _browser(browser)
    # Chromium picks the picture format by the file's ending: the temporary name ends in the
    # format asked for, whatever the name it is renamed to.
    try:
        fd, name = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.",
                                    suffix=f".{kind.lower()}")
    except OSError as e:
        raise BlendsimError(f"cannot write in {str(folder)!r}: {_reason(e)}") from None
    os.close(fd)
    tmp = Path(name)
    try:
        tmp.unlink()  # so that a browser which writes nothing is seen to write nothing
        with tempfile.TemporaryDirectory(prefix="blendsim-browser-") as work:
            last = _run(exe, [f"{flag}={tmp}", *extra], page, Path(work), timeout,
                        doing=f"making a {kind} of")
        head = b""
        with contextlib.suppress(OSError), tmp.open("rb") as f:
            head = f.read(len(signature))
        if head != signature:
            raise BlendsimError(f"{Path(exe).name} wrote no {kind} of {str(page)!r}"
                                f"{_last_words(last)}")
        os.replace(tmp, target)
    except OSError as e:
        raise BlendsimError(f"cannot write {str(target)!r}: {_reason(e)}") from None
    finally:
        tmp.unlink(missing_ok=True)
    return target


def _last_words(line: str) -> str:
    return f"; its last message: {line}" if line else ""


def _last_line(path: Path) -> str:
    """The browser's last line of errors that says something (not desktop-session noise)."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    said = [ln.strip() for ln in lines if ln.strip()]
    useful = [ln for ln in said if not _NOISE.search(ln)]
    return (useful or said or [""])[-1][:500]


def _run(exe: str, args: list[str], page: Path, work: Path, timeout: float, *,
         doing: str, stdout: Path | None = None) -> str:
    """Run the browser on ``page`` with a fresh profile in ``work``; its last error line.

    The browser is a process group of its own, killed when its first process ends (helpers
    it started linger otherwise), when ``timeout`` passes and on any exception, Ctrl-C
    included.  Its output goes to files, not pipes, so a lingering helper holding them open
    cannot hold up the wait.
    """
    profile = work / "profile"
    errors = work / "stderr.txt"
    command = [exe, *FLAGS, f"--user-data-dir={profile}", *args, page.as_uri()]
    with errors.open("wb") as err, (stdout.open("wb") if stdout else open(os.devnull, "wb")
                                    ) as out:
        try:
            proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                    start_new_session=True)
        except OSError as e:
            raise BlendsimError(f"cannot start the browser {exe!r}: {_reason(e)}") from None
    ended = False
    try:
        deadline = time.monotonic() + timeout
        while not _exited(proc.pid):
            if time.monotonic() >= deadline:
                raise BlendsimError(
                    f"{Path(exe).name} did not finish {doing} {str(page)!r} within "
                    f"{timeout:g} s and was stopped{_last_words(_last_line(errors))}")
            time.sleep(_POLL)
        ended = True
    finally:
        # The first process is not reaped yet (a zombie), so its id still names the group.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        _wait_group_gone(proc.pid)
    last = _last_line(errors)
    if ended and proc.returncode != 0:
        raise BlendsimError(f"{Path(exe).name} failed {doing} {str(page)!r} (exit code "
                            f"{proc.returncode}){_last_words(last)}")
    return last


def _exited(pid: int) -> bool:
    """Whether process ``pid`` has ended, leaving it for ``wait`` to reap."""
    info = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    return info is not None


def _wait_group_gone(pgid: int, patience: float = 5.0) -> None:
    """Give the killed group's members a moment to be gone (they are not our children).

    A member that is dead but not yet reaped by the system (a zombie) counts as gone:
    it holds no memory, files or profile folder, and its reaping is not ours to wait for.
    """
    deadline = time.monotonic() + patience
    while _live_members(pgid) and time.monotonic() < deadline:
        time.sleep(_POLL)


def _live_members(pgid: int) -> bool:
    """Whether a process of group ``pgid`` is still alive (running, not a zombie)."""
    proc = Path("/proc")
    if not proc.is_dir():  # not Linux: any member at all, zombies included
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return False
        return True
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue  # ended meanwhile
        # after the command's closing parenthesis: state, parent, process group, ...
        if len(fields) > 2 and fields[2] == str(pgid) and fields[0] not in ("Z", "X"):
            return True
    return False
