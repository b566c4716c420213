"""kedro-viz on a finished run: the API shows every pipeline, layer and node; the graph renders."""

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import numpy as np
import pytest

from tests.browser import screenshot
from tests.layers import LAYERS

STARTUP_TIMEOUT_S = 180
FIRST_PORT = 41410


def free_port() -> int:
    """A free port below 49151: kedro-viz refuses ephemeral ports."""
    for port in range(FIRST_PORT, FIRST_PORT + 200):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    pytest.fail("no free port for kedro-viz")


def fetch_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)


def stop_process_group(process: subprocess.Popen) -> None:
    """Stop kedro-viz and the uvicorn worker it leaves behind: they share one process group."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=20)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def viz_server(full_run):
    port = free_port()
    log = (full_run / "viz.log").open("w")
    env = {**os.environ, "KEDRO_DISABLE_TELEMETRY": "true"}
    command = [sys.executable, "-m", "kedro", "viz", "run", "--no-browser"]
    process = subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--port", str(port)],
        cwd=full_run,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            try:
                fetch_json(f"{base_url}/api/main")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"kedro viz did not start:\n{(full_run / 'viz.log').read_text()}")
                time.sleep(1)
        yield base_url
    finally:
        stop_process_group(process)
        log.close()


def test_api_lists_every_pipeline_layer_and_node(viz_server, registered_pipelines):
    registered = registered_pipelines
    graph = fetch_json(f"{viz_server}/api/main")

    assert {p["id"] for p in graph["pipelines"]} >= set(registered)
    assert graph["layers"] == list(LAYERS)
    shown_tasks = {n["name"] for n in graph["nodes"] if n["type"] == "task"}
    assert shown_tasks == {node.name for node in registered["__default__"].nodes}
    datasets = [n for n in graph["nodes"] if n["type"] == "data"]
    assert datasets
    assert [d["name"] for d in datasets if d.get("layer") not in LAYERS] == []


def test_flowchart_renders_in_a_browser(viz_server, tmp_path):
    # the flowchart is drawn by JavaScript after load: give it virtual time
    pixels = screenshot(viz_server, tmp_path, 1600, 1000, "--virtual-time-budget=20000")

    assert pixels.std() > 0.05, "the kedro-viz screenshot is blank"
    assert len(np.unique(pixels.reshape(-1, 3), axis=0)) > 50
