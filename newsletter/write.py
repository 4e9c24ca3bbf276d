"""Stage 7: write an issue's files atomically, or compare them with what is on disk (``--check``).

Each file is written to a temporary file beside its target and renamed over it, so a reader never sees a
half-written file, even if the process is killed. The files of an issue are all written before any is
renamed: if one cannot be written, none of the issue's files changes. There is no fsync: it took 3 ms per
issue here, and the files are rebuilt from their sources after a power cut anyway.
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from .errors import OutputError

_temporary_names = itertools.count()


def write_files(files: Mapping[Path, str | bytes]) -> list[Path]:
    """Write every ``path: text`` (UTF-8, ``\\n`` line endings) or ``path: bytes``; all or none are replaced."""
    staged: list[tuple[Path, Path]] = []
    current = None
    folders: set[Path] = set()
    try:
        for path, text in files.items():
            current = path
            if path.parent not in folders:  # an issue's files share one folder: ask once
                path.parent.mkdir(parents=True, exist_ok=True)
                folders.add(path.parent)
            # Unique per process and call; O_EXCL refuses to reuse a name; 0o666 lets the umask decide.
            temporary = path.with_name(f".{path.name}.{os.getpid()}.{next(_temporary_names)}.tmp")
            handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
            staged.append((temporary, path))
            with os.fdopen(handle, "wb") as stream:
                stream.write(text.encode("utf-8") if isinstance(text, str) else text)
        for temporary, path in staged:
            current = path
            os.replace(temporary, path)
    except OSError as exc:
        for temporary, _ in staged:
            try:
                os.unlink(temporary)
            except FileNotFoundError:
                pass
        target = exc.filename if exc.filename and not str(exc.filename).endswith(".tmp") else current
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
    return list(files)


@contextmanager
def folder_lock(folder: Path, shared: bool = False) -> Iterator[None]:
    """Hold ``folder`` while the archive reads ``archive.json`` and writes it again: two builds into one
    folder would otherwise each list their own issue and drop the other's. Where the folder cannot be
    opened or locked (it does not exist yet for --check; no flock on this system), nothing is held."""
    try:
        import fcntl

        handle = os.open(folder, os.O_RDONLY)
    except (ImportError, OSError):
        yield
        return
    try:
        fcntl.flock(handle, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)  # closing releases the lock


_TEMPORARY = re.compile(r"^\..+\.(\d+)\.\d+\.tmp$")


def remove_files(paths: list[Path]) -> list[Path]:
    """Delete ``paths`` (the archive's pictures that no issue shows any more); one already gone is no error."""
    removed = []
    for path in paths:
        try:
            path.unlink()
            removed.append(path)
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise OutputError(f"cannot remove {path}: {exc.strerror or exc}") from None
    return removed


def remove_stale_temporaries(folder: Path) -> list[Path]:
    """Delete the temporary files that a killed build left in ``folder``: those whose process is gone."""
    removed = []
    for path in folder.glob(".*.tmp") if folder.is_dir() else []:
        match = _TEMPORARY.match(path.name)
        if not match:
            continue
        try:
            os.kill(int(match.group(1)), 0)  # signal 0: only asks whether the process exists
            continue
        except ProcessLookupError:
            pass
        except (PermissionError, OverflowError):
            continue  # alive, under another user; or not a process id at all
        try:
            path.unlink()
            removed.append(path)
        except FileNotFoundError:
            pass
    return removed


def diff_files(files: Mapping[Path, str | bytes], labels: dict[Path, str] | None = None) -> str:
    """A unified diff from what is on disk to what would be written; empty when they are the same."""
    import difflib  # only ``--check`` compares: 2 ms of every other cold start

    chunks: list[str] = []
    for path, content in files.items():
        text = content if isinstance(content, str) else content.decode("utf-8", errors="replace")
        label = (labels or {}).get(path, str(path))
        try:
            current = path.read_bytes().decode("utf-8", errors="replace")
        except FileNotFoundError:
            current = None
        except OSError as exc:
            raise OutputError(f"cannot read {label}: {exc.strerror}") from None
        if current == text:
            continue
        before = f"{label} (missing)" if current is None else label
        chunks.extend(
            difflib.unified_diff(
                (current or "").splitlines(keepends=True),
                text.splitlines(keepends=True),
                fromfile=before,
                tofile=f"{label} (would be written)",
            )
        )
        if chunks and not chunks[-1].endswith("\n"):
            chunks[-1] += "\n\\ No newline at end of file\n"
    return "".join(chunks)
