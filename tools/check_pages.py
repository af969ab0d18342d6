#!/usr/bin/env python
"""Look at the built book the way a reader does: every chapter page in headless Chromium.

The HTML is served from 127.0.0.1 (as a reader's browser or a static host would serve it) and Chromium
is driven through its DevTools protocol (the ``websocket-client`` package). For each page it records

- console errors, uncaught exceptions and failed loads (a missing font, a 404),
- every request that leaves the local server (scripts, styles, images, fonts: nothing may),
- raw TeX left in the text after MathJax ran (``\\frac``, ``\\sum``, ``\\mathcal``, a ``$...$`` pair) and
  MathJax's own error boxes,
- widget rows wider than their box (``scrollWidth > clientWidth``), stored progress bars and table
  cells truncated to ``...``,

and saves a screenshot under ``--screenshots`` (default ``_build/screenshots/``). tests/test_book.py runs
it over the test build; ``python tools/check_pages.py [_build/html]`` prints a per-page report.
"""
from __future__ import annotations

import argparse
import base64
import functools
import http.server
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
                  "--window-size=1280,900"]
SCREENSHOT_MAX_HEIGHT = 12000  # px; longer chapters are cut there (the file stays a few MB at most)

# Runs in the page once it has loaded and MathJax has typeset; returns the DOM findings.
PAGE_SCRIPT = r"""
(() => {
  const main = document.querySelector('main') || document.body;
  // Text a reader sees, without code, scripts and MathJax's own (rendered) output.
  const skip = 'pre, code, script, style, mjx-container, .MathJax, mjx-assistive-mml, textarea, .highlight, .widget-code';
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT, {
    acceptNode: n => (n.parentElement && n.parentElement.closest(skip)) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT});
  let text = ''; while (walker.nextNode()) text += walker.currentNode.nodeValue + ' ';
  const tex = [];
  for (const re of [/\\(frac|sum|mathcal|mathbf|operatorname|log|Delta|sqrt|le|ge|cdot|text|big)\b[^\n]{0,40}/g,
                    /\$[^$\n]{1,80}\$/g, /\$\$/g]) {
    for (const m of text.matchAll(re)) { tex.push(m[0].slice(0, 60)); if (tex.length > 8) break; }
  }
  const mathErrors = [...document.querySelectorAll('mjx-merror, .MathJax_Error, merror')].map(e => e.textContent.slice(0, 80));
  const overflow = [];
  for (const el of document.querySelectorAll('.jupyter-widgets.widget-box, .widget-hbox, .widget-vbox, .widget-inline-hbox, .jupyter-widgets.widget-container, .widget-toggle-buttons, .widget-hslider, .widget-dropdown, .widget-label')) {
    if (el.offsetParent === null) continue;  // hidden (another tab of a widget)
    if (el.scrollWidth > el.clientWidth + 2) overflow.push(`${el.className.split(' ').filter(c => c.startsWith('widget')).join('.')} ${el.scrollWidth}>${el.clientWidth} "${(el.innerText || '').trim().slice(0, 40)}"`);
  }
  const labels = [];
  for (const el of document.querySelectorAll('.widget-toggle-button, .widget-button, .widget-label, .widget-toggle-buttons button')) {
    if (el.offsetParent === null) continue;
    if (el.scrollWidth > el.clientWidth + 2) labels.push(`"${(el.innerText || '').trim().slice(0, 40)}" ${el.scrollWidth}>${el.clientWidth}`);
  }
  const sliders = [];
  for (const el of document.querySelectorAll('.widget-hslider .slider-container, .widget-hslider .noUi-target')) {
    if (el.offsetParent !== null && el.getBoundingClientRect().width < 60) sliders.push(`slider ${Math.round(el.getBoundingClientRect().width)}px wide`);
  }
  const progress = [...document.querySelectorAll('progress, .widget-progress, .progress-bar')].length
    + (text.match(/\d+%\|[^|]*\|\s*\d+\/\d+/g) || []).length + (text.match(/\bit\/s\]/g) || []).length;
  const truncated = [...document.querySelectorAll('td, th')].filter(c => /^(\.\.\.|…)$/.test(c.textContent.trim())).length;
  return {tex, mathErrors, overflow: overflow.concat(labels, sliders), progress, truncated,
          plotly: document.querySelectorAll('.plot-container .main-svg').length,
          widgets: document.querySelectorAll('.jupyter-widgets').length,
          height: Math.min(document.documentElement.scrollHeight, %MAXH%)};
})()
""".replace("%MAXH%", str(SCREENSHOT_MAX_HEIGHT))


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # the test's output stays readable
        pass


def serve(directory: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Serve ``directory`` on 127.0.0.1 (a free port) from a daemon thread; return the server and its base URL."""
    handler = functools.partial(_Quiet, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """Headless Chromium with one page, driven over the DevTools protocol."""

    def __init__(self, chromium: str = "/usr/bin/chromium"):
        import websocket

        self.profile = tempfile.mkdtemp(prefix="irbook-chromium-")
        port = _free_port()
        self.process = subprocess.Popen(
            [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={self.profile}", f"--remote-debugging-port={port}",
             "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=2) as response:
                    targets = [t for t in json.load(response) if t["type"] == "page"]
                if targets:
                    break
            except OSError:
                pass
            if time.time() > deadline or self.process.poll() is not None:
                self.close()
                raise RuntimeError("check_pages: Chromium did not open its DevTools port")
            time.sleep(0.2)
        self.ws = websocket.create_connection(targets[0]["webSocketDebuggerUrl"], timeout=60, suppress_origin=True)
        self.next_id = 0
        self.events: list[dict] = []
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable")

    def call(self, method: str, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def drain(self, seconds: float) -> None:
        """Collect events for ``seconds`` (console messages and requests that arrive late)."""
        end = time.time() + seconds
        self.ws.settimeout(0.2)
        try:
            while time.time() < end:
                try:
                    self.events.append(json.loads(self.ws.recv()))
                except Exception:  # websocket timeout: nothing arrived
                    pass
        finally:
            self.ws.settimeout(60)

    def evaluate(self, expression: str, await_promise: bool = False):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=await_promise)
        if "exceptionDetails" in result:
            raise RuntimeError(f"check_pages: page script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def close(self) -> None:
        if getattr(self, "ws", None):
            self.ws.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


def check_page(browser: Browser, url: str, base: str, screenshot: Path | None = None) -> dict:
    """Load ``url``, wait for plotly, the widgets and MathJax, and return the findings (see the docstring)."""
    browser.events = []
    browser.call("Page.navigate", url=url)
    deadline = time.time() + 60
    while time.time() < deadline and not any(e.get("method") == "Page.loadEventFired" for e in browser.events):
        browser.drain(0.3)
    browser.evaluate("(window.MathJax && MathJax.startup && MathJax.startup.promise) || Promise.resolve()",
                     await_promise=True)
    browser.drain(2.0)  # widgets render after the load event; late console messages arrive here
    findings = browser.evaluate(PAGE_SCRIPT)
    console = []
    for event in browser.events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            console.append(" ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))[:200])
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            console.append((details.get("exception", {}).get("description") or details.get("text", ""))
                           .splitlines()[0][:200])
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            entry = params["entry"]
            if entry.get("url", "").endswith("/favicon.ico"):  # the browser's own guess; the book has none
                continue
            console.append(f"{entry.get('text', '')[:160]} {entry.get('url', '')}".strip())
    requests = sorted({e["params"]["request"]["url"] for e in browser.events
                       if e.get("method") == "Network.requestWillBeSent"})
    remote = [u for u in requests if u.startswith(("http:", "https:", "ws:", "wss:")) and not u.startswith(base)]
    findings.update(console=sorted(set(console)), remote=remote)
    if screenshot is not None:
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        shot = browser.call("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                            clip={"x": 0, "y": 0, "width": 1280, "height": findings["height"], "scale": 1})
        screenshot.write_bytes(base64.b64decode(shot["data"]))
    return findings


def problems(findings: dict) -> list[str]:
    """The findings that fail a page, as short sentences."""
    found = []
    for key, label in (("console", "console error"), ("remote", "remote request"), ("tex", "raw TeX"),
                       ("mathErrors", "MathJax error"), ("overflow", "overflowing widget")):
        found += [f"{label}: {item}" for item in findings.get(key, [])]
    if findings.get("progress"):
        found.append(f"{findings['progress']} stored progress bar(s)")
    if findings.get("truncated"):
        found.append(f"{findings['truncated']} table cell(s) truncated to '...'")
    return found


def chapter_pages(html_dir: Path) -> list[Path]:
    return sorted((html_dir / "notebooks").glob("*.html"))


def check_book(html_dir: Path, pages: list[Path] | None = None, screenshots: Path | None = None,
               chromium: str = "/usr/bin/chromium") -> dict[str, dict]:
    """``{page: findings}`` for ``pages`` (default: every chapter page) of the book in ``html_dir``."""
    pages = pages if pages is not None else chapter_pages(html_dir)
    server, base = serve(html_dir)
    browser = Browser(chromium)
    try:
        results = {}
        for page in pages:
            name = str(page.relative_to(html_dir))
            shot = screenshots / (page.stem + ".png") if screenshots else None
            results[name] = check_page(browser, base + name, base, shot)
        return results
    finally:
        browser.close()
        server.shutdown()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html_dir", nargs="?", type=Path, default=ROOT / "_build" / "html")
    parser.add_argument("--screenshots", type=Path, default=ROOT / "_build" / "screenshots")
    parser.add_argument("--all-pages", action="store_true", help="every page, not only the chapters")
    parser.add_argument("--json", action="store_true", help="print the raw findings as JSON")
    args = parser.parse_args(argv)
    pages = sorted(args.html_dir.rglob("*.html")) if args.all_pages else None
    if pages:
        pages = [p for p in pages if "_static" not in p.parts and p.name not in ("search.html", "genindex.html")]
    results = check_book(args.html_dir, pages, args.screenshots)
    if args.json:
        print(json.dumps(results, indent=1))
    failed = 0
    for name, findings in results.items():
        found = problems(findings)
        failed += bool(found)
        status = "ok" if not found else f"{len(found)} problem(s)"
        print(f"{name}: {status} (plotly {findings['plotly']}, widgets {findings['widgets']})")
        for line in found:
            print(f"    {line}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
