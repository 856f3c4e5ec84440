#!/usr/bin/env python3
"""The report page's size and speed in headless Chromium: the page's bytes without its sprite
sheets, the first render (the page's `signet-first-render` performance mark, from navigation
start), and the time of one repaint of every view after a box selection in the first map.

    Benchmarks/report-timing.py DIR/index.html [--runs 3]

Needs Debian's chromium and chromium-driver (scripts/install-system-packages.sh --tests). Talks
W3C WebDriver to chromedriver over plain HTTP (urllib), so it needs no Python package.
"""
import argparse
import json
import os
import random
import statistics
import subprocess
import time
import urllib.request


def call(base, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=300) as reply:
        return json.loads(reply.read())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("page")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    page = os.path.abspath(args.page)
    port = random.randint(20000, 30000)
    driver = subprocess.Popen(["/usr/bin/chromedriver", f"--port={port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if call(base, "GET", "/status")["value"]["ready"]:
                    break
            except OSError:
                time.sleep(0.05)
        size = os.path.getsize(page)
        renders, repaints = [], []
        for _ in range(args.runs):
            options = {"binary": "/usr/bin/chromium",
                       "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,1000"]}
            session = call(base, "POST", "/session", {"capabilities": {"alwaysMatch": {"goog:chromeOptions": options}}})["value"]["sessionId"]
            try:
                call(base, "POST", f"/session/{session}/url", {"url": "file://" + page})
                script = "return performance.getEntriesByName('signet-first-render')[0].startTime"
                renders.append(call(base, "POST", f"/session/{session}/execute/sync", {"script": script, "args": []})["value"])
                script = ("const t = performance.now(); window.signet.paintBox(0, 0, 0, 5000, 5000); "
                          "return performance.now() - t")
                repaints.append(call(base, "POST", f"/session/{session}/execute/sync", {"script": script, "args": []})["value"])
                points = call(base, "POST", f"/session/{session}/execute/sync", {"script": "return window.signet.pointCount()", "args": []})["value"]
            finally:
                call(base, "DELETE", f"/session/{session}")
        print(f"page {page}: {size / 1e6:.2f} MB without sprites, {points} images in the first view")
        print(f"first render: median {statistics.median(renders) / 1000:.2f} s of {args.runs} ({', '.join(f'{r / 1000:.2f}' for r in renders)})")
        print(f"repaint after a box selection (every map and the Sankey): median {statistics.median(repaints):.0f} ms")
    finally:
        driver.terminate()
        driver.wait()


if __name__ == "__main__":
    main()
