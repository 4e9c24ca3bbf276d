"""Faults in the middle of a build, and a preview server under a burst of requests and malformed paths."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO
from newsletter.preview.server import serve

NEWSLETTER = [sys.executable, "-m", "newsletter"]


def _issues(project, count: int, marker: str) -> None:
    example = (REPO / "issues" / "mei-four-briefs.yaml").read_text(encoding="utf-8")
    for number in range(count):
        text = example.replace("Tehran’s ISIS challenge", f"Tehran’s ISIS challenge {marker} {number}")
        (project.issues / f"issue-{number:03}.yaml").write_text(text, encoding="utf-8")


def _files(folder) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.endswith(".tmp")}


def test_sigkill_during_a_batch_leaves_each_file_old_or_new(project) -> None:
    _issues(project, 60, "old")
    subprocess.run([*NEWSLETTER, "build", "issues", "--out", "dist"], cwd=project.root, check=True,
                   capture_output=True)
    old = _files(project.out)
    _issues(project, 60, "new")
    subprocess.run([*NEWSLETTER, "build", "issues", "--out", "expected"], cwd=project.root, check=True,
                   capture_output=True)
    new = _files(project.root / "expected")
    assert old.keys() == new.keys() and old != new

    process = subprocess.Popen([*NEWSLETTER, "build", "issues", "--out", "dist", "--jobs", "2"], cwd=project.root,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:  # until the first new file lands
        if any((project.out / name).read_bytes() == new[name] for name in ("issue-000.html", "issue-001.html")):
            break
        time.sleep(0.005)
    os.killpg(process.pid, signal.SIGKILL)  # the command and its workers, mid-batch, maybe mid-write
    process.wait()
    after = _files(project.out)
    assert after.keys() == old.keys()
    mixed = [name for name, data in after.items() if data not in (old[name], new[name])]
    assert mixed == []
    changed = sum(after[name] == new[name] != old[name] for name in after)
    assert 0 < changed < len(after)  # the kill really landed in the middle


def test_next_build_removes_temporaries_of_a_killed_one(project, cli) -> None:
    project.example()
    project.out.mkdir()
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # a process id that no longer runs, like a killed build's
    stale = project.out / f".mei-four-briefs.html.{gone.pid}.0.tmp"
    live = project.out / f".mei-four-briefs.html.{os.getpid()}.99.tmp"  # a build still running: kept
    stale.write_text("half")
    live.write_text("half")
    assert cli("build", "issues/mei-four-briefs.yaml")[0] == 0
    assert not stale.exists() and live.exists()


def test_two_builds_of_one_issue_at_once(project) -> None:
    project.example()
    expected = project.root / "expected"
    subprocess.run([*NEWSLETTER, "build", "issues/mei-four-briefs.yaml", "--out", str(expected)],
                   cwd=project.root, check=True, capture_output=True)
    for _ in range(3):
        runs = [subprocess.Popen([*NEWSLETTER, "build", "issues/mei-four-briefs.yaml", "--out", "dist"],
                                 cwd=project.root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                for _ in range(2)]
        assert [run.wait() for run in runs] == [0, 0]
        assert _files(project.out) == _files(expected)
        assert [p.name for p in project.out.iterdir() if p.name.endswith(".tmp")] == []


def test_read_only_output_folder(project, cli, monkeypatch) -> None:
    # Tests run as root here, and root writes through a read-only mode: the refusal is the kernel's answer,
    # given at the same call a read-only folder would refuse.
    from newsletter import write

    real_open = os.open

    def refuse(path, flags, *args):  # type: ignore[no-untyped-def]
        if os.path.abspath(path).startswith(str(project.out)) and flags & os.O_CREAT:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args)

    project.example()
    monkeypatch.setattr(write.os, "open", refuse)
    code, _, err = cli("build", "issues/mei-four-briefs.yaml")
    assert code == 1 and err.startswith("Error: cannot write dist/mei-four-briefs.html: Permission denied")
    assert "Traceback" not in err
    assert not project.out.exists() or list(project.out.iterdir()) == []


def test_output_folder_that_cannot_exist(project, cli) -> None:
    project.example()
    code, _, err = cli("build", "issues/mei-four-briefs.yaml", "--out", "/proc/newsletter-test")
    assert code == 1 and err.startswith("Error: cannot write /proc/newsletter-test")
    assert "Traceback" not in err


# --- the preview server ------------------------------------------------------------------------------------

def _get(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.putrequest("GET", path, skip_host=False, skip_accept_encoding=True)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _server(project):
    project.example()
    server = serve(project.issues, port=0)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server


OWN = {"/", "/issues/mei-four-briefs/", "/issues/mei-four-briefs/email.html", "/issues/mei-four-briefs/email.txt",
       "/issues/mei-four-briefs/email.mjml", "/issues/mei-four-briefs/state.json"}


def test_preview_survives_a_burst_of_concurrent_requests(project) -> None:
    server = _server(project)
    port = server.server_address[1]
    try:
        paths = sorted(OWN) * 40 + ["/../../etc/passwd", "/issues/%2e%2e/%2e%2e/etc/passwd", "/x" * 500] * 20
        with ThreadPoolExecutor(max_workers=16) as pool:
            results = list(pool.map(lambda path: (path, _get(port, path)[0]), paths))
        for path, status in results:
            assert status == (200 if path in OWN else 404), path
        assert _get(port, "/")[0] == 200  # still serving
    finally:
        server.shutdown()
        server.previewer.watcher.stop()
        server.server_close()


SECRET = b"newsletter.yaml"  # the config lies beside issues/: its text must never be served


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.sampled_from(["..", "%2e%2e", "%2f", "/", "issues", "mei-four-briefs", "email.html", "%00",
                                 "newsletter.yaml", "authors.yaml", "\\", "%5c", ".", "~", "etc", "passwd",
                                 "state.json", "%252e", "?", "#", ";", "events", "//"]), max_size=8)
       .map(lambda parts: "/" + "/".join(parts)))
def test_preview_fuzzed_paths_serve_nothing_outside(path: str) -> None:
    status, body = _get(FUZZ_PORT, path)
    assert status in (200, 404, 400), path
    if status == 200:
        # http.server folds leading slashes into one (against open redirects): "///" is "/".
        target = "/" + path.split("?")[0].split("#")[0].lstrip("/")
        assert target in OWN, path
    assert b"disclaimer:" not in body and b"twitter:" not in body  # no config or registry text, ever


FUZZ_PORT = 0


def setup_module(module) -> None:
    import tempfile
    from pathlib import Path

    from conftest import Project

    module._fuzz_dir = tempfile.TemporaryDirectory()
    project = Project(Path(module._fuzz_dir.name))
    module._fuzz_server = _server(project)
    module.FUZZ_PORT = module._fuzz_server.server_address[1]


def teardown_module(module) -> None:
    module._fuzz_server.shutdown()
    module._fuzz_server.previewer.watcher.stop()
    module._fuzz_server.server_close()
    module._fuzz_dir.cleanup()
