"""Headless Chromium for the browser tests (Debian's `chromium`; root needs --no-sandbox)."""

import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from matplotlib.image import imread

BINARIES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Without the networking flags Chromium tries to reach Google's hosts, which this machine refuses.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


def chromium_or_skip() -> str:
    """The Chromium binary; skip without one, except in CI (which installs it, so absence fails)."""
    binary = next((path for path in map(shutil.which, BINARIES) if path), None)
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("CI is set but no Chromium was found; install Debian's `chromium` package.")
        pytest.skip("no Chromium found (install Debian's `chromium` package to run this test)")
    return binary


def screenshot(url: str, work_dir: Path, width: int, height: int, *extra_flags: str) -> np.ndarray:
    """Render `url` headless and return the screenshot's RGB pixels (0..1)."""
    png = work_dir / "screenshot.png"
    command = [
        chromium_or_skip(),
        *FLAGS,
        *extra_flags,
        f"--user-data-dir={work_dir / 'chromium-profile'}",
        f"--window-size={width},{height}",
        f"--screenshot={png}",
        url,
    ]
    subprocess.run(command, check=True, capture_output=True, timeout=180)
    if keep_dir := os.environ.get("SCREENSHOT_DIR"):
        shutil.copy(png, Path(keep_dir) / f"{work_dir.name}.png")
    return imread(png)[..., :3]
