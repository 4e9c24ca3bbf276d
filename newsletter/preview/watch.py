"""Notice saved files by polling their modification times.

A preview watches a dozen files (the issues, the config, the authors registry, the templates). Polling them
every 25 ms costs nothing measurable, reacts faster than a debounced notifier, needs no extra dependency,
and behaves the same on every filesystem, including the network and container mounts where inotify is
missing or silent.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from pathlib import Path

Snapshot = dict[Path, tuple[int, int]]


def snapshot(paths: Iterable[Path]) -> Snapshot:
    """Modification time and size of each file that exists."""
    state: Snapshot = {}
    for path in paths:
        try:
            stat = path.stat()
        except OSError:
            continue
        state[path] = (stat.st_mtime_ns, stat.st_size)
    return state


def changed(before: Snapshot, after: Snapshot, known: set[Path] | None = None) -> set[Path]:
    """The files whose modification time or size changed, that appeared or went. A file never watched before
    (the project's plugin, listed once the project is loaded) is watched from now on, not changed; one that
    went and came back (an editor's save by rename) is."""
    paths = before.keys() | after.keys()
    if known is not None:
        paths = {path for path in paths if path in known}
    return {path for path in paths if before.get(path) != after.get(path)}


class Watcher(threading.Thread):
    """Calls ``on_change(paths)`` from its own thread whenever files listed by ``list_files()`` change."""

    def __init__(self, list_files: Callable[[], Iterable[Path]], on_change: Callable[[set[Path]], None],
                 interval: float = 0.025):
        super().__init__(name="newsletter-watch", daemon=True)
        self.list_files = list_files
        self.on_change = on_change
        self.interval = interval
        self.stopped = threading.Event()
        self.known = set(self.list_files())
        self.state = snapshot(self.known)

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            listed = set(self.list_files())
            current = snapshot(listed)
            paths = changed(self.state, current, self.known)
            self.state = current
            self.known |= listed
            if paths:
                self.on_change(paths)

    def stop(self) -> None:
        self.stopped.set()
