"""The experiment report and the single-run report in a real headless Chromium: they
load without console errors, every image decodes, and the text a reader sees has no
number in scientific notation. Driven through chromedriver's W3C HTTP API (no
selenium).

Skipped where no Chromium and chromedriver are installed; CI (.ci/run) installs the
Debian packages ``chromium`` and ``chromium-driver`` and sets ``OMNISIM_REQUIRE_BROWSER``
so that there a missing browser fails instead of skipping.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.experiments.conftest import free_port

SCIENTIFIC = re.compile(r"\d(?:\.\d+)?[eE][+-]?\d")
"""A number in scientific notation (``5.674e+05``, ``-3.06e-05``, ``1E6``)."""

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run")

CHECK_IMAGES = """
const done = arguments[arguments.length - 1];
Promise.all(Array.from(document.images).map(img => img.decode().then(
    () => [true, img.naturalWidth, img.naturalHeight],
    () => [false, img.naturalWidth, img.naturalHeight])))
  .then(images => done({state: document.readyState, title: document.title, images,
                        text: document.body ? document.body.innerText : ""}));
"""


class Browser:
    """A chromedriver session on a headless Chromium with a fresh profile."""

    def __init__(self, driver: str, binary: str, profile: Path) -> None:
        self.port = free_port()
        scratch = profile / "tmp"  # Chromium's own temporary folders go here, not /tmp
        scratch.mkdir()
        self.proc = subprocess.Popen([driver, f"--port={self.port}"],
                                     env={**os.environ, "TMPDIR": str(scratch)},
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if self.call("GET", "/status")["ready"]:
                    break
            except (OSError, urllib.error.URLError):
                pass
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.close()
                raise RuntimeError("chromedriver did not start")
            time.sleep(0.1)
        caps = {"browserName": "chrome",
                "goog:chromeOptions": {"binary": binary,
                                       "args": [*FLAGS, f"--user-data-dir={profile}/user"]},
                "goog:loggingPrefs": {"browser": "ALL"}}
        try:
            self.session = self.call("POST", "/session",
                                     {"capabilities": {"alwaysMatch": caps}})["sessionId"]
        except BaseException:
            self.close()
            raise

    def call(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=120) as resp:
            return json.loads(resp.read())["value"]

    def open(self, page: Path) -> dict[str, Any]:
        """Load a file, wait for its images to decode; return their state and the
        browser's SEVERE log entries (console errors, failed loads, exceptions)."""
        s = f"/session/{self.session}"
        self.call("POST", f"{s}/timeouts", {"script": 60000, "pageLoad": 60000})
        self.call("POST", f"{s}/url", {"url": page.resolve().as_uri()})
        result = self.call("POST", f"{s}/execute/async", {"script": CHECK_IMAGES, "args": []})
        logs = self.call("POST", f"{s}/se/log", {"type": "browser"})
        result["errors"] = [e["message"] for e in logs if e["level"] == "SEVERE"]
        return dict(result)

    def close(self) -> None:
        try:
            if hasattr(self, "session"):
                self.call("DELETE", f"/session/{self.session}")
        finally:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    """Headless Chromium via chromedriver, or skip when either is missing."""
    binary = next((b for b in map(shutil.which, BROWSERS) if b), None)
    driver = shutil.which("chromedriver")
    if binary is None or driver is None:
        if os.environ.get("OMNISIM_REQUIRE_BROWSER"):  # set by .ci/run: never skip in CI
            pytest.fail("OMNISIM_REQUIRE_BROWSER is set but chromium/chromedriver is missing")
        pytest.skip("needs chromium and chromedriver (apt-get install chromium "
                    "chromium-driver); .ci/run installs them")
    b = Browser(driver, binary, tmp_path_factory.mktemp("chromium"))
    yield b
    b.close()


def test_report_loads_without_errors_and_shows_its_images(browser, swept):
    """Every figure of the report decodes to a real bitmap and nothing is logged as an
    error."""
    page = browser.open(swept / "report.html")
    assert page["state"] == "complete"
    assert page["title"] == "report_demo: experiment report"
    assert page["errors"] == []
    assert len(page["images"]) == 4
    for ok, width, height in page["images"]:
        assert ok and width > 100 and height > 100
    assert "on-time rate" in page["text"] and " pp" in page["text"]
    assert SCIENTIFIC.findall(page["text"]) == []


def test_run_report_loads_and_reads_well(browser, run_folder):
    """The single-run report: no console errors, every figure decodes, the sections are
    there, the override shows, and no number is in scientific notation."""
    page = browser.open(run_folder / "report.html")
    assert page["state"] == "complete"
    assert page["title"] == "tiny: run report"
    assert page["errors"] == []
    assert len(page["images"]) >= 6
    for ok, width, height in page["images"]:
        assert ok and width > 100 and height > 100
    for heading in ("Summary", "Where the time goes", "Stores", "Figures", "Late orders"):
        assert heading in page["text"]
    assert "--set store_defaults.pickers=2" in page["text"]
    assert SCIENTIFIC.findall(page["text"]) == []


def test_the_check_catches_a_broken_page(browser, tmp_path):
    """The same check fails on a page with a script error, a missing file and an
    image that does not decode, so a passing report is not a vacuous pass."""
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><html><body><img src="data:image/png;base64,AAAA">'
                   '<img src="missing.png"><script>undefinedFunction();</script>'
                   "<p>profit 5.674e+05, change -3.06e-05</p></body></html>",
                   encoding="utf-8")
    page = browser.open(bad)
    assert SCIENTIFIC.findall(page["text"]) == ["5.674e+0", "3.06e-0"]
    assert any("undefinedFunction" in e for e in page["errors"])
    assert any("missing.png" in e for e in page["errors"])
    assert [ok for ok, _, _ in page["images"]] == [False, False]
