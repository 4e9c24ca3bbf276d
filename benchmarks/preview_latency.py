"""Save-to-visible latency of `newsletter preview`: how long from writing the issue file to the new text
being shown in the open page, in Debian's Chromium driven by Playwright.

    .venv/bin/python benchmarks/preview_latency.py [--runs 30] [--code DIR] [--json]

It prints figures and asserts nothing. The budget is under 100 ms (Maizzle reports under 300 ms). The time
is taken by this process, from before it writes the file to when the page, polled at each frame, shows the
text. Since the checks come after the email (checks after paint), the time to the Checks panel filled is
shown too. ``--code`` times another version's preview (`compare.py` passes an older release's files).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

TITLE = "Tehran’s ISIS challenge"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--code", type=Path, default=REPO, help="the newsletter source tree to time (default: this one)")
    parser.add_argument("--json", action="store_true", help="print the samples as JSON, on the last line")
    args = parser.parse_args()
    sys.path.insert(0, str(args.code))
    from playwright.sync_api import sync_playwright

    from newsletter.preview.server import serve
    from newsletter.screenshot import CHROMIUM_FLAGS, chromium_executable

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for name in ("newsletter.yaml", "authors.yaml"):
            shutil.copy(REPO / name, root / name)
        (root / "issues").mkdir()
        issue = root / "issues" / "mei-four-briefs.yaml"
        original = (REPO / "issues" / "mei-four-briefs.yaml").read_text(encoding="utf-8")
        issue.write_text(original, encoding="utf-8")

        server = serve(root / "issues", port=0)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        latencies, builds, checked = [], [], []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium_executable(), args=CHROMIUM_FLAGS)
            page = browser.new_page(viewport={"width": 1000, "height": 900})
            page.goto(server.url + "issues/mei-four-briefs/")
            page.wait_for_selector("body[data-version]")
            for run in range(args.runs + 3):  # the first three warm up the build and the browser
                marker = f"Tehran’s ISIS challenge {run}"
                time.sleep(0.1)  # let the watcher settle, as between an editor's saves
                started = time.perf_counter()
                issue.write_text(original.replace(TITLE, marker), encoding="utf-8")
                page.wait_for_function(
                    "m => document.getElementById('email').contentDocument.body.textContent.includes(m)",
                    arg=marker, polling="raf", timeout=10_000)
                visible = (time.perf_counter() - started) * 1000
                # Checks after paint: the panel is filled when the page has marked this version checked (a
                # version before that marker had the findings with the email).
                page.wait_for_function("document.body.dataset.checked === undefined || "
                                       "document.body.dataset.checked === document.body.dataset.version",
                                       polling="raf", timeout=10_000)
                filled = (time.perf_counter() - started) * 1000
                if run >= 3:
                    latencies.append(visible)
                    builds.append(server.previewer.get("mei-four-briefs").seconds * 1000)
                    if page.evaluate("document.body.dataset.checked !== undefined"):
                        checked.append(filled)
            browser.close()
        server.shutdown()
        server.previewer.watcher.stop()

    if args.json:
        print(json.dumps({"visible": latencies, "checked": checked, "build": builds}))
        return
    latencies.sort()
    print(f"save -> visible, {len(latencies)} saves of the example issue (ms):")
    print(f"  median {statistics.median(latencies):6.1f}   p90 {latencies[int(len(latencies) * 0.9) - 1]:6.1f}"
          f"   min {latencies[0]:6.1f}   max {latencies[-1]:6.1f}")
    print(f"  of which the rebuild: median {statistics.median(builds):.1f} ms"
          f" (the rest: the 25 ms file poll, the event, the fetch and the repaint)")
    if checked:
        print(f"  the Checks panel filled: median {statistics.median(checked):.1f} ms after the save")
    print("  budget: under 100 ms")


if __name__ == "__main__":
    main()
