"""The work of a build in instructions (valgrind's callgrind), which this machine's drift does not move: this
version beside an earlier one, for the figures whose wall times swing by up to 70 % from one minute to the
next here.

    .venv/bin/python benchmarks/instructions.py [--base 4e7aa40] [--head REV] [--batch 10]

Each version is a `git archive` of its revision (``--head`` defaults to the working tree), its bytecode
compiled, run with this venv's libraries on the same project (the example and ``--batch`` weekly copies of
it, as build_speed.py makes them). Measured for each, under ``valgrind --tool=callgrind`` (valgrind must be
on PATH; about a minute a version):

1. the warm email: ``render_issue(..., editions=False)`` of the example, 25 times minus 5 times, over 20;
2. an issue of a batch: ``newsletter.build`` of ``--batch`` + 2 issues minus 2 issues in one process (one
   job), over ``--batch``: everything an issue costs a build, its checks and its share of the archive;
3. the cold command: ``newsletter build`` of the example as a new process, from its start (the templates'
   bytecode cache filled by a build before any figure is taken).

It prints a table and asserts nothing. Instructions are not time: a C extension's or the kernel's work per
instruction differs from Python's, and callgrind does not count the kernel (writing files) at all.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import build_speed  # noqa: E402 - beside this file
import compare  # noqa: E402

SESSION_BASE = "4e7aa40"  # the end of the sixth session

_WARM = """
import sys
from pathlib import Path
from newsletter.pipeline import render_issue
from newsletter.project import load_project

project = load_project(Path("newsletter.yaml"))
for _ in range(int(sys.argv[1])):
    render_issue(Path(sys.argv[2]), project, editions=False)
"""

_BATCH = """
import shutil, sys
from pathlib import Path
import newsletter

count = int(sys.argv[1])
paths = sorted(Path("issues").glob("20*.yaml"))[:count]
shutil.rmtree("batch-out", ignore_errors=True)
report = newsletter.build(paths, out="batch-out", jobs=1)
assert report.ok and len(report.results) == count, "the batch failed"
"""


def instructions(command: list[str], cwd: Path, code: Path) -> int:
    """The instructions ``command`` runs, all its threads, as callgrind counts them."""
    out = cwd / "callgrind.out"
    subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *command], cwd=cwd,
                   env=compare.environment(code), check=True, capture_output=True)
    for line in out.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith(("summary:", "totals:")):
            out.unlink()
            return int(line.split()[1])
    raise SystemExit(f"no summary in callgrind's output for {' '.join(command)}")


def measure(code: Path, project: Path, batch: int) -> dict[str, float]:
    python = sys.executable
    example = compare.ISSUE
    cold = [python, "-m", "newsletter", "build", example, "--out", "cold"]
    # First, a build that fills the templates' bytecode cache (each version has its own): otherwise the first
    # run measured would compile them, and a difference of two runs would take that off the second.
    subprocess.run(cold, cwd=project, env=compare.environment(code), check=True, capture_output=True)
    shutil.rmtree(project / "cold")
    few, many = (instructions([python, "-c", _WARM, str(runs), example], project, code) for runs in (5, 25))
    small, large = (instructions([python, "-c", _BATCH, str(count)], project, code) for count in (2, 2 + batch))
    return {"warm email": (many - few) / 20, "an issue of a batch": (large - small) / batch,
            "cold command": instructions(cold, project, code)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default=SESSION_BASE, help=f"the earlier revision (default {SESSION_BASE})")
    parser.add_argument("--head", default=None, help="the later revision (default: the working tree)")
    parser.add_argument("--batch", type=int, default=10, help="issues the batch figure is measured over")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not on PATH (Debian: apt-get install valgrind)")
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        labels = [compare.label_of(args.base), compare.label_of(args.head)]
        codes = {labels[0]: compare.checkout(args.base, base / "base"),
                 labels[1]: compare.checkout(args.head, base / "head") if args.head else compare.REPO}
        figures = {}
        for number, (label, code) in enumerate(codes.items()):
            subprocess.run([sys.executable, "-m", "compileall", "-q", str(code / "newsletter")], check=True,
                           stdout=subprocess.DEVNULL)
            project = compare.make_project(base / f"project-{number}")
            build_speed.make_archive(project, args.batch + 2)
            figures[label] = measure(code, project, args.batch)
        print(f"newsletter in instructions (callgrind), {labels[0]} beside {labels[1]}, Python {sys.version.split()[0]}")
        print(f"\n{'figure':22} {labels[0]:>18} {labels[1]:>22} {'change':>8}")
        for what in figures[labels[0]]:
            before, after = figures[labels[0]][what], figures[labels[1]][what]
            print(f"{what:22} {before / 1e6:16,.1f} M {after / 1e6:20,.1f} M {100 * (after - before) / before:+7.1f} %")


if __name__ == "__main__":
    main()
