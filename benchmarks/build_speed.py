"""How fast newsletter builds, stage by stage, beside MJML's official compiler (npm `mjml`) in the same run.

    .venv/bin/python benchmarks/build_speed.py [--runs 200] [--cold-runs 10] [--batch 520] [--batch-runs 1] [--dir D]

It installs npm `mjml` into benchmarks/.node on first use (npm must be on PATH), prints tables, and asserts
nothing. Every figure is measured on this machine, in this run; the README beside this file records one.
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
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NODE_DIR = Path(__file__).resolve().parent / ".node"
MJML_VERSION = "5.4.1"
EXAMPLE = REPO / "issues" / "mei-four-briefs.yaml"
NEWSLETTER = [sys.executable, "-m", "newsletter"]
sys.path.insert(0, str(REPO))

# The built-in templates style their elements themselves: a build of them has no CSS to inline, whatever the
# inliner. A user's template may add <mj-style inline="inline"> CSS; this one adds the rules that the built-in
# templates carried as such a block before (same selectors, same elements), to time each inliner on real work.
USER_HEAD = """{% include "builtin/head.mjml.j2" %}
    <mj-style inline="inline">
      .nl-text p { margin: 0 0 16px 0; }
      .nl-text a { color: #0b5394; text-decoration: underline; }
      .nl-heading h1 { font-family: Helvetica, Arial, sans-serif; font-size: 26px; line-height: 1.25; margin: 0; color: #ffffff; }
      .nl-heading a { color: #ffffff; text-decoration: none; }
      .nl-heading p { font-family: Helvetica, Arial, sans-serif; font-size: 14px; margin: 6px 0 0 0; color: #ffffff; }
      .nl-title h2 { font-family: Helvetica, Arial, sans-serif; font-size: 24px; line-height: 1.3; margin: 0 0 12px 0; color: #222222; }
      .nl-contents h2 { font-family: Helvetica, Arial, sans-serif; font-size: 15px; letter-spacing: 1px; text-transform: uppercase; margin: 0 0 10px 0; color: #555555; }
      .nl-contents ol { margin: 0; padding: 0 0 0 22px; }
      .nl-contents li { margin: 0 0 8px 0; }
      .nl-contents a { color: #0b5394; text-decoration: none; }
      .nl-byline p { font-family: Helvetica, Arial, sans-serif; font-size: 15px; line-height: 1.4; margin: 0 0 6px 0; color: #555555; }
      .nl-byline strong { color: #222222; }
      .nl-callout ul { margin: 0; padding: 0 0 0 20px; }
      .nl-callout li { margin: 0 0 10px 0; }
      .nl-credit p { font-family: Helvetica, Arial, sans-serif; font-size: 13px; line-height: 1.4; margin: 8px 0 0 0; color: #555555; }
      .nl-footer p { font-family: Helvetica, Arial, sans-serif; font-size: 13px; line-height: 1.5; margin: 0 0 12px 0; color: #555555; }
      .nl-footer a { color: #555555; text-decoration: underline; }
    </mj-style>
"""
# label: the config's inliner, None for the built-in templates with the default config (premailer, unused).
VARIANTS: dict[str, str | None] = {"built-in": None, "user CSS, premailer": "premailer",
                                   "user CSS, css-inline": "css-inline"}


def ensure_mjml() -> Path:
    cli = NODE_DIR / "node_modules" / "mjml" / "bin" / "mjml"
    if not cli.exists():
        print(f"installing npm mjml {MJML_VERSION} into {NODE_DIR} ...", file=sys.stderr)
        NODE_DIR.mkdir(exist_ok=True)
        subprocess.run(["npm", "install", "--prefix", str(NODE_DIR), f"mjml@{MJML_VERSION}", "--no-audit",
                        "--no-fund", "--silent"], check=True)
    return cli


def timings(function: Callable[[], object], runs: int) -> list[float]:
    """Milliseconds of each of ``runs`` warm calls (after three to warm up)."""
    for _ in range(3):
        function()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def spread(samples: list[float]) -> str:
    ordered = sorted(samples)
    p10, p90 = ordered[len(ordered) // 10], ordered[(len(ordered) * 9) // 10 - 1]
    return f"{statistics.median(ordered):8.2f} ms   p10-p90 {p10:6.2f}-{p90:6.2f}"


def project_copy(root: Path, inliner: str | None) -> Path:
    """The example's project; with ``inliner``, also a user head template with CSS for that inliner."""
    root.mkdir(parents=True)
    shutil.copy(REPO / "authors.yaml", root / "authors.yaml")
    config = (REPO / "newsletter.yaml").read_text(encoding="utf-8")
    if inliner:
        config += f"inliner: {inliner}\ntemplates: templates\n"
        (root / "templates").mkdir()
        (root / "templates" / "head.mjml.j2").write_text(USER_HEAD, encoding="utf-8")
    (root / "newsletter.yaml").write_text(config, encoding="utf-8")
    (root / "issues").mkdir()
    shutil.copy(EXAMPLE, root / "issues" / EXAMPLE.name)
    return root


def stages(root: Path, runs: int) -> dict[str, list[float]]:
    """Each stage of ``pipeline._render`` (and the checks a build then runs), timed alone on warm inputs."""
    from newsletter import checks, compile, inline, mime, pipeline, render, text, write
    from newsletter.checks import facts as checks_facts
    from newsletter.links import links_for
    from newsletter.project import load_project

    project = load_project(root / "newsletter.yaml")
    registry, settings, templates = project.registry, project.config, project.templates_dir
    path = root / "issues" / EXAMPLE.name
    issue, _, document = pipeline._validate(path, project)
    links = links_for(settings, path.stem, "2023-08-17", platforms=registry.platforms)
    web_links = links_for(settings, path.stem, "2023-08-17", web=True, platforms=registry.platforms)
    mjml = render.render_mjml(issue, settings, templates, links, registry=registry)
    html = compile.compile_mjml(mjml)
    inlined = inline.inline_css(html, settings.inliner)
    inlining = f"CSS inlining ({settings.inliner})" if inlined is not html else "CSS inlining (nothing to inline)"
    plain = text.render_text(issue, settings, links, registry)
    expected = list(render.expectations(issue, settings, links, registry))
    facts = checks_facts.for_build(issue, document, project, expected, inlined, plain, None)
    out = root / "out"
    files = {out / "x.html": inlined, out / "x.txt": plain, out / "x.mjml": mjml}
    inline_runs = max(20, runs // 4) if settings.inliner == "premailer" and inlined is not html else runs
    return {
        "load + validate + pictures": timings(lambda: pipeline._validate(path, project), runs),
        "Jinja render": timings(lambda: render.render_mjml(issue, settings, templates, links, registry=registry), runs),
        "MJML compile (MRML)": timings(lambda: compile.compile_mjml(mjml), runs),
        inlining: timings(lambda: inline.inline_css(html, settings.inliner), inline_runs),
        "plain text": timings(lambda: text.render_text(issue, settings, links, registry), runs),
        "what the checks know (facts)": timings(lambda: checks_facts.for_build(
            issue, document, project, list(render.expectations(issue, settings, links, registry)), inlined, plain,
            None), runs),
        "write (3 files, atomic)": timings(lambda: write.write_files(files), runs),
        "web edition (render+compile)": timings(lambda: compile.compile_mjml(
            render.render_mjml(issue, settings, templates, web_links, registry=registry)), runs),
        ".eml (MIME)": timings(lambda: mime.message_bytes(issue, settings, plain, inlined, links), runs),
        "pre-send checks": timings(lambda: checks.check_email(
            inlined, plain, "x.html", facts=facts, rules=registry.rules, platforms=registry.platforms), runs),
    }


def whole_build(root: Path, runs: int) -> dict[str, list[float]]:
    """The email alone (what the preview makes at a save), everything ``newsletter build`` writes of an issue,
    and that with the checks a build runs, beside the floor."""
    from newsletter import checks, compile, pipeline, render, write
    from newsletter.links import links_for
    from newsletter.project import load_project

    project = load_project(root / "newsletter.yaml")
    path = root / "issues" / EXAMPLE.name
    out = root / "whole"

    def email_only() -> None:
        write.write_files(pipeline.render_issue(path, project, editions=False).files(out))

    def everything() -> pipeline.Email:
        email = pipeline.render_issue(path, project)
        write.write_files(email.files(out))
        return email

    def checked() -> None:
        email = everything()
        checks.check_email(email.html, email.text, "x.html", facts=email.facts, rules=project.registry.rules,
                           platforms=project.registry.platforms)

    issue, _, _ = pipeline._validate(path, project)
    links = links_for(project.config, path.stem, "2023-08-17", platforms=project.registry.platforms)

    def floor() -> None:  # the work no build can skip
        compile.compile_mjml(render.render_mjml(issue, project.config, project.templates_dir, links,
                                                registry=project.registry))

    count = max(20, runs // 4) if project.config.inliner == "premailer" and project.templates_dir else runs
    return {FLOOR: timings(floor, count),
            "the email (HTML, text, MJML, facts)": timings(email_only, count),
            "all a build writes (+ web edition, .eml)": timings(everything, count),
            "all a build does (+ the checks)": timings(checked, count)}


NODE_WARM = """
// mjml 5 returns a Promise, mjml 4 the result: await handles both.
const mjml2html = require(process.argv[2]);
const source = require('fs').readFileSync(process.argv[3], 'utf8');
const runs = Number(process.argv[4]);
(async () => {
  for (let i = 0; i < 3; i++) await mjml2html(source);
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    const result = await mjml2html(source);
    samples.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (i === 0 && result.errors.length) console.error(JSON.stringify(result.errors.slice(0, 3)));
  }
  console.log(JSON.stringify(samples));
})();
"""


BLOCKS = 10  # section 2 alternates our build and official mjml this many times
FLOOR = "floor: Jinja render + MRML compile"


def official_warm(mjml_file: Path, runs: int) -> list[float]:
    script = NODE_DIR / "warm.js"
    script.write_text(NODE_WARM, encoding="utf-8")
    module = NODE_DIR / "node_modules" / "mjml"
    result = subprocess.run(["node", str(script), str(module), str(mjml_file), str(runs)], check=True,
                            capture_output=True, text=True)
    return json.loads(result.stdout)


# Runs one command for cold() and reports its wall time and peak memory. A small process of its own forks the
# command: a child of the benchmark would start with the benchmark's ~60 MB resident, and ru_maxrss keeps
# the peak across exec, so every command measured from here showed the benchmark's own size.
_MEASURE = """
import os, sys, time
started = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.chdir(sys.argv[1])
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        os.execvp(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
print((time.perf_counter() - started) * 1000, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status))
"""


def cold(commands: dict[str, tuple[list[str], Path]], runs: int) -> dict[str, tuple[list[float], list[float]]]:
    """Wall milliseconds and peak resident megabytes of ``runs`` runs of each ``name: (command, cwd)``, taken in
    turns (a, b, c, a, b, c...) so that a slow minute of the machine falls on all of them alike."""
    results: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in commands}
    for _ in range(runs):
        for name, (command, cwd) in commands.items():
            measured = subprocess.run([sys.executable, "-S", "-c", _MEASURE, str(cwd), *command],
                                      capture_output=True, text=True, check=True).stdout.split()
            wall, peak, code = float(measured[0]), float(measured[1]), int(measured[2])
            if code != 0:  # a failed build would time as a fast one
                raise SystemExit(f"{' '.join(command)} failed")
            results[name][0].append(wall)
            results[name][1].append(peak)
    return results


def compile_bytecode() -> None:
    """Our modules' bytecode, compiled as pip compiles an installed package's. Under PYTHONDONTWRITEBYTECODE
    (set on the machine the README's figures come from) an editable install never writes it, and each cold
    start would compile the package again (about 40 ms)."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "newsletter")], check=True,
                   stdout=subprocess.DEVNULL)


def make_archive(root: Path, count: int) -> None:
    """``count`` weekly issues: the example with a different date and titles each week."""
    import datetime

    example = EXAMPLE.read_text(encoding="utf-8")
    first = datetime.date(2016, 1, 7)
    for week in range(count):
        date = first + datetime.timedelta(weeks=week)
        issue = example.replace("date: 2023-08-17", f"date: {date.isoformat()}")
        issue = issue.replace("Tehran’s ISIS challenge", f"Tehran’s ISIS challenge, week {week}")
        (root / "issues" / f"{date.isoformat()}.yaml").write_text(issue, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=200, help="warm runs per stage")
    parser.add_argument("--cold-runs", type=int, default=10)
    parser.add_argument("--batch", type=int, default=520, help="issues in the generated archive")
    parser.add_argument("--batch-runs", type=int, default=1, help="runs of each batch build (the median is shown)")
    parser.add_argument("--dir", type=Path, default=None,
                        help="where to make the projects and their output (default: the temp dir; /dev/shm times "
                             "the build without the disk)")
    args = parser.parse_args()
    mjml_cli = ensure_mjml()
    cpus = len(os.sched_getaffinity(0))

    with tempfile.TemporaryDirectory(dir=args.dir) as folder:
        base = Path(folder)
        roots = {label: project_copy(base / f"variant-{number}", inliner)
                 for number, (label, inliner) in enumerate(VARIANTS.items())}
        mjml_files = {}
        for label, root in roots.items():
            subprocess.run([*NEWSLETTER, "build", "issues", "--out", "dist"], cwd=root, check=True, capture_output=True)
            mjml_files[label] = root / "dist" / "mei-four-briefs.mjml"

        print(f"newsletter build benchmark: {EXAMPLE.name}, {cpus} CPUs, Python {sys.version.split()[0]}, "
              f"npm mjml {MJML_VERSION}, node {subprocess.run(['node', '--version'], capture_output=True, text=True).stdout.strip()}")
        print(f"files in {base} ({filesystem(base)})")
        print("variants: built-in = the example as the built-in templates build it (default config: premailer, "
              "which finds nothing to inline);\n          user CSS = the same with a user's head template adding "
              "17 rules of <mj-style inline=\"inline\"> CSS")
        print(f"\n1. Stages, warm, median of {args.runs} runs (inlining with premailer: fewer runs)")
        for label, root in roots.items():
            print(f"   {label}")
            for name, samples in stages(root, args.runs).items():
                if label == "built-in" or name.startswith("CSS inlining"):  # the other stages do the same work
                    print(f"     {name:33} {spread(samples)}")

        print("\n2. Whole build, warm (load, validate, render, compile, inline, text, write), beside "
              "official mjml\n   (its JS API in a warm Node process) compiling the very MJML of that variant; the "
              f"two taken in turns, {BLOCKS} blocks each")
        for label, root in roots.items():
            # In turns, block by block, so that a slow minute of the machine falls on both alike.
            official: list[float] = []
            ours: dict[str, list[float]] = {}
            for _ in range(BLOCKS):
                official += official_warm(mjml_files[label], max(1, args.runs // BLOCKS))
                for what, samples in whole_build(root, max(4, args.runs // BLOCKS)).items():
                    ours.setdefault(what, []).extend(samples)
            official_median = statistics.median(official)
            floor = statistics.median(ours.pop(FLOOR))
            for what, samples in ours.items():
                median = statistics.median(samples)
                print(f"   {label:21} {what:41} {spread(samples)}   = {median / floor:4.1f}x the floor, "
                      f"{official_median / median:4.1f}x faster than official mjml")
            print(f"   {label:21} {'official mjml (JS API, warm)':41} {spread(official)}")
            print(f"   {label:21} {FLOOR:41} {floor:8.2f} ms   (in the same blocks)")

        compile_bytecode()
        print(f"\n3. Cold command, one issue, median of {args.cold_runs} runs, taken in turns (bytecode compiled)")
        commands = {label: ([*NEWSLETTER, "build", "issues/mei-four-briefs.yaml", "--out", "cold"], root)
                    for label, root in roots.items()}
        commands["mjml CLI"] = (["node", str(mjml_cli), str(mjml_files["built-in"]), "-o", str(base / "official.html")],
                                base)
        results = cold(commands, args.cold_runs)
        official_cold = statistics.median(results["mjml CLI"][0])
        for name, (walls, peaks) in results.items():
            label = f"newsletter build ({name})" if name != "mjml CLI" else "mjml CLI (npm, built-in's MJML)"
            ratio = f"   {official_cold / statistics.median(walls):4.2f}x faster than the mjml CLI" if name != "mjml CLI" else ""
            print(f"   {label:40} {statistics.median(walls):7.0f} ms   peak {statistics.median(peaks):5.1f} MB{ratio}")

        print(f"\n4. Batch: newsletter build over {args.batch + 1} issues (cold command, checks included), "
              f"median of {args.batch_runs} run{'s' if args.batch_runs > 1 else ''}")
        for label, root in roots.items():
            make_archive(root, args.batch)
            count = args.batch + 1
            samples: dict[int, list[float]] = {jobs: [] for jobs in sorted({1, cpus})}
            for run in range(args.batch_runs):
                for jobs in samples:  # in turns, as for the cold command
                    out = root / f"batch-{jobs}-{run}"
                    started = time.perf_counter()
                    result = subprocess.run([*NEWSLETTER, "build", "issues", "--out", out.name, "--jobs", str(jobs)],
                                            cwd=root, capture_output=True, check=False)
                    samples[jobs].append(time.perf_counter() - started)
                    built = len(list(out.glob("*.web.html")))
                    if result.returncode != 0 or built != count:  # a failed build would time as a fast one
                        raise SystemExit(f"batch build failed ({built} of {count} built):\n{result.stderr.decode()[-2000:]}")
                    # Each run writes a new folder, all removed with the temp dir at the end: the kernel's
                    # work of deleting one run's 2,600 files (journal, discards) cannot overlap the next run.
            times = {jobs: statistics.median(runs) for jobs, runs in samples.items()}
            line = []
            for jobs, runs in samples.items():
                spread_note = f" [{min(runs):.2f}-{max(runs):.2f}]" if len(runs) > 1 else ""
                line.append(f"{jobs} job{'s' if jobs > 1 else ''}: {times[jobs]:5.2f} s{spread_note} "
                            f"({count / times[jobs]:4.0f} issues/s)")
            speedup = f", speed-up {times[1] / times[cpus]:.2f}x" if cpus > 1 else ""
            print(f"   {label:21} " + ";  ".join(line) + speedup)


def filesystem(path: Path) -> str:
    """The type of the filesystem ``path`` is on, from /proc/mounts (Linux), or "unknown"."""
    try:
        mounts = [line.split() for line in Path("/proc/mounts").read_text().splitlines()]
    except OSError:
        return "unknown"
    resolved = str(path.resolve())
    best = max((m for m in mounts if resolved == m[1] or resolved.startswith(m[1].rstrip("/") + "/")),
               key=lambda m: len(m[1]), default=None)
    return best[2] if best else "unknown"


if __name__ == "__main__":
    main()
