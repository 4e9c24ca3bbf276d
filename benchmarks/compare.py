"""The regression guard: this version of newsletter beside an earlier one (the previous release by default),
on this machine, in one run, the two taken in turns so that the machine's drift falls on both alike.

    .venv/bin/python benchmarks/compare.py [--base REV] [--head REV] [--runs 100] [--cold-runs 7]
                                           [--batch 520] [--batch-runs 3] [--preview-runs 20]

Each version is a `git archive` of its revision in a temp folder (``--head`` defaults to the working tree,
uncommitted changes included), run with this venv's libraries on the same project: the example issue with
this tree's config and authors. Measured for each, in turns, with the same figures from official MJML where
a budget is a ratio to it:

1. weight: the example's HTML, part by part (`weight.py`), and its plain text;
2. warm: the email alone (what the preview makes at a save), and the whole `newsletter build` command
   called in-process (everything it writes, and the checks);
3. cold: `newsletter build` of one issue as a new process, wall time and peak memory, beside the `mjml` CLI
   and beside a process that only imports the libraries every build needs and makes one pydantic model (the
   floor under the cold figure);
4. batch: `newsletter build` of 521 issues on every CPU;
5. preview: save to visible in Chromium, measured from outside the page (`preview_latency.py`).

It prints a table and asserts nothing. The budgets printed beside the figures are the ones in README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import build_speed  # noqa: E402 - beside this file
import weight  # noqa: E402

REPO = build_speed.REPO
PREVIOUS_RELEASE = "846a3ac"  # the end of the fourth round (stop 19, landed): the release before this one
ISSUE = "issues/mei-four-briefs.yaml"

# Run in each version's process: N warm builds of the email alone, then N of the whole CLI command.
_WARM = """
import contextlib, io, json, sys, time
from pathlib import Path
try:
    from newsletter.project import load_project
except ImportError:  # before the project stage had a module of its own
    from newsletter.config import load_project
from newsletter.cli import main
from newsletter.pipeline import render_issue

runs, out = int(sys.argv[1]), sys.argv[2]
project = load_project(Path("newsletter.yaml"))
path = Path(sys.argv[3])


def email():
    render_issue(path, project, editions=False)


def command():
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        try:
            main(["build", str(path), "--out", out], standalone_mode=False)
        except SystemExit as exc:
            if exc.code:
                raise


samples = {}
for name, function in (("email", email), ("command", command)):
    for _ in range(3):
        function()
    samples[name] = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        samples[name].append((time.perf_counter() - started) * 1000)
print(json.dumps(samples))
"""


def checkout(revision: str, folder: Path) -> Path:
    """The files of ``revision`` in ``folder``, its bytecode compiled (as pip does for an installed package)."""
    folder.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", revision], cwd=REPO, check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


def label_of(revision: str | None) -> str:
    if revision is None:
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "newsletter", "templates"], cwd=REPO,
                               capture_output=True, text=True).stdout.strip()
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                              text=True).stdout.strip()
        return f"HEAD {head}" + (" + changes" if dirty else "")
    return subprocess.run(["git", "rev-parse", "--short", revision], cwd=REPO, check=True, capture_output=True,
                          text=True).stdout.strip()


def environment(code: Path) -> dict[str, str]:
    """The environment that runs ``code``'s newsletter (before the editable install's path) with our libraries."""
    return {**os.environ, "PYTHONPATH": str(code)}


def make_project(root: Path) -> Path:
    root.mkdir(parents=True)
    for name in ("newsletter.yaml", "authors.yaml"):
        shutil.copy(REPO / name, root / name)
    (root / "issues").mkdir()
    shutil.copy(REPO / ISSUE, root / ISSUE)
    return root


def build_once(code: Path, project: Path, out: str) -> Path:
    subprocess.run([sys.executable, "-m", "newsletter", "build", ISSUE, "--out", out], cwd=project,
                   env=environment(code), check=True, capture_output=True)
    return project / out


# What any build pays before it does anything of its own: the design card's libraries and click imported,
# and one pydantic model of one field made and used (pydantic builds its machinery at the first model: 160 M
# instructions of the 822 M this costs). Timed as a process of its own in the cold turns, it is the floor
# under the cold figure: the cold budget's ratio cannot pass the CLI's time over it.
_LIBRARY_FLOOR = ("from pydantic import BaseModel\nimport click, jinja2, lxml.etree, markupsafe, mjml, yaml\n"
                  "class Floor(BaseModel):\n    x: int = 0\nFloor(x=1)\n")


def warm(code: Path, project: Path, runs: int) -> dict[str, list[float]]:
    result = subprocess.run([sys.executable, "-c", _WARM, str(runs), "warm-out", ISSUE], cwd=project,
                            env=environment(code), check=True, capture_output=True, text=True)
    return json.loads(result.stdout)


def cold_once(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    measured = subprocess.run([sys.executable, "-S", "-c", build_speed._MEASURE, str(cwd), *command],
                              capture_output=True, text=True, check=True, env=env).stdout.split()
    if int(measured[2]) != 0:  # a failed build would time as a fast one
        raise SystemExit(f"{' '.join(command)} failed")
    return float(measured[0]), float(measured[1])


def batch_once(code: Path, project: Path, out: str, jobs: int, count: int) -> float:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "newsletter", "build", "issues", "--out", out, "--jobs", str(jobs)],
                            cwd=project, env=environment(code), capture_output=True, check=False)
    seconds = time.perf_counter() - started
    built = len(list((project / out).glob("*.web.html")))
    if result.returncode != 0 or built != count:
        raise SystemExit(f"batch build failed ({built} of {count}):\n{result.stderr.decode()[-2000:]}")
    return seconds


def preview_once(code: Path, runs: int) -> dict[str, list[float]]:
    result = subprocess.run([sys.executable, str(REPO / "benchmarks" / "preview_latency.py"), "--runs", str(runs),
                             "--code", str(code), "--json"], env=environment(code), check=True,
                            capture_output=True, text=True)
    return json.loads(result.stdout.splitlines()[-1])


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default=PREVIOUS_RELEASE, help=f"the earlier revision (default {PREVIOUS_RELEASE}, "
                        "the previous release)")
    parser.add_argument("--head", default=None, help="the later revision (default: the working tree)")
    parser.add_argument("--runs", type=int, default=100, help="warm builds of each kind per version")
    parser.add_argument("--cold-runs", type=int, default=7)
    parser.add_argument("--batch", type=int, default=520, help="generated issues besides the example")
    parser.add_argument("--batch-runs", type=int, default=3)
    parser.add_argument("--preview-runs", type=int, default=20, help="saves per version (0: skip the preview)")
    args = parser.parse_args()
    mjml_cli = build_speed.ensure_mjml()
    cpus = len(os.sched_getaffinity(0))

    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        labels = [label_of(args.base), label_of(args.head)]
        codes = {labels[0]: checkout(args.base, base / "base"),
                 labels[1]: checkout(args.head, base / "head") if args.head else REPO}
        for code in codes.values():
            subprocess.run([sys.executable, "-m", "compileall", "-q", str(code / "newsletter")], check=True,
                           stdout=subprocess.DEVNULL)
        projects = {label: make_project(base / f"project-{number}") for number, label in enumerate(codes)}
        outs = {label: build_once(codes[label], projects[label], "dist") for label in codes}
        name = Path(ISSUE).stem
        print(f"newsletter, {labels[0]} beside {labels[1]}: {Path(ISSUE).name}, {cpus} CPUs, "
              f"Python {sys.version.split()[0]}, npm mjml {build_speed.MJML_VERSION}")

        print("\n1. Weight of the example's HTML, bytes by part")
        htmls = {label: (out / f"{name}.html").read_text(encoding="utf-8") for label, out in outs.items()}
        print(weight.table(htmls))
        rows: list[tuple[str, str, str, str]] = []
        sizes = [len(html.encode()) for html in htmls.values()]
        rows.append(("example HTML", f"{sizes[0]:,} B", f"{sizes[1]:,} B", "<= 50,000 B"))

        print(f"\n2. Warm, {args.runs} builds of each per version in {build_speed.BLOCKS} blocks, in turns with "
              "official mjml (JS API, warm) on the same MJML")
        warm_samples: dict[str, dict[str, list[float]]] = {label: {"email": [], "command": []} for label in codes}
        official: list[float] = []
        per_block = max(2, args.runs // build_speed.BLOCKS)
        for _ in range(build_speed.BLOCKS):
            official += build_speed.official_warm(outs[labels[1]] / f"{name}.mjml", per_block)
            for label in codes:
                for kind, samples in warm(codes[label], projects[label], per_block).items():
                    warm_samples[label][kind] += samples
        official_ms = median(official)
        for kind, what in (("email", "warm email (preview's build)"), ("command", "warm build command, checks")):
            figures = [median(warm_samples[label][kind]) for label in codes]
            rows.append((what, *(f"{ms:.2f} ms = {official_ms / ms:.1f}x mjml" for ms in figures),
                         ">= 3.5x official mjml" if kind == "email" else ""))
        rows.append(("official mjml, warm", f"{official_ms:.2f} ms", "(same run)", ""))

        print(f"\n3. Cold `newsletter build`, one issue, {args.cold_runs} runs each in turns with the mjml CLI")
        cold: dict[str, tuple[list[float], list[float]]] = {label: ([], []) for label in [*codes, "mjml CLI",
                                                                                          "floor"]}
        for _ in range(args.cold_runs):
            for label in codes:
                wall, peak = cold_once([sys.executable, "-m", "newsletter", "build", ISSUE, "--out", "cold"],
                                       projects[label], environment(codes[label]))
                cold[label][0].append(wall)
                cold[label][1].append(peak)
            wall, peak = cold_once([sys.executable, "-c", _LIBRARY_FLOOR], base, environment(codes[labels[1]]))
            cold["floor"][0].append(wall)
            cold["floor"][1].append(peak)
            wall, peak = cold_once(["node", str(mjml_cli), str(outs[labels[1]] / f"{name}.mjml"), "-o",
                                    str(base / "official.html")], base, dict(os.environ))
            cold["mjml CLI"][0].append(wall)
            cold["mjml CLI"][1].append(peak)
        mjml_cold = median(cold["mjml CLI"][0])
        rows.append(("cold build", *(f"{median(cold[label][0]):.0f} ms = {mjml_cold / median(cold[label][0]):.2f}x "
                                     f"CLI" for label in codes), ">= 2x the mjml CLI"))
        rows.append(("peak memory, cold", *(f"{median(cold[label][1]):.1f} MB" for label in codes), "< 80 MB"))
        rows.append(("mjml CLI, cold", f"{mjml_cold:.0f} ms", f"peak {median(cold['mjml CLI'][1]):.0f} MB", ""))
        floor = median(cold["floor"][0])
        rows.append(("  libraries' import floor", f"{floor:.0f} ms = {mjml_cold / floor:.2f}x CLI", "(same run)",
                     "what no build avoids"))

        count = args.batch + 1
        print(f"\n4. Batch: {count} issues, {cpus} jobs, {args.batch_runs} runs each in turns")
        for label in codes:
            build_speed.make_archive(projects[label], args.batch)
        batch: dict[str, list[float]] = {label: [] for label in codes}
        for run in range(args.batch_runs):
            for label in codes:
                batch[label].append(batch_once(codes[label], projects[label], f"batch-{run}", cpus, count))
        rows.append((f"{count} issues, {cpus} jobs", *(f"{median(batch[label]):.2f} s [{min(batch[label]):.2f}-"
                                                      f"{max(batch[label]):.2f}]" for label in codes), "< 2.5 s"))

        if args.preview_runs:
            print(f"\n5. Preview: save to visible in Chromium, {args.preview_runs} saves per version, in two turns")
            preview: dict[str, dict[str, list[float]]] = {label: {} for label in codes}
            for _ in range(2):
                for label in codes:
                    for what, samples in preview_once(codes[label], max(1, args.preview_runs // 2)).items():
                        preview[label].setdefault(what, []).extend(samples)
            rows.append(("preview save to visible", *(f"{median(preview[label]['visible']):.1f} ms (p90 "
                                                      f"{_p90(preview[label]['visible']):.0f})" for label in codes),
                         "< 100 ms"))
            rows.append(("  checks panel filled", *(f"{median(preview[label]['checked']):.1f} ms"
                                                    if preview[label].get("checked") else "with the email"
                                                    for label in codes), ""))

        print(f"\n{'figure':30} {labels[0]:>26} {labels[1]:>26}   budget")
        for figure, before, after, budget in rows:
            print(f"{figure:30} {before:>26} {after:>26}   {budget}")


def _p90(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, int(len(ordered) * 0.9) - 1)]


if __name__ == "__main__":
    main()
