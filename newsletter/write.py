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
    """Delete ``paths`` (the archive's pictures that no issue shows any more, a killed build's temporary files);
    one already gone is no error."""
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
    stale = []
    for path in folder.glob(".*.tmp") if folder.is_dir() else []:
        match = _TEMPORARY.match(path.name)
        if not match:
            continue
        try:
            os.kill(int(match.group(1)), 0)  # signal 0: only asks whether the process exists
            continue
        except ProcessLookupError:
            stale.append(path)
        except (PermissionError, OverflowError):
            continue  # alive, under another user; or not a process id at all
    return remove_files(stale)


def diff_files(files: Mapping[Path, str | bytes], labels: dict[Path, str] | None = None) -> str:
    """A unified diff from what is on disk to what would be written; empty when they are the same, byte for
    byte."""
    import difflib  # only ``--check`` compares: 2 ms of every other cold start

    chunks: list[str] = []
    for path, content in files.items():
        new_bytes = content.encode("utf-8") if isinstance(content, str) else content
        label = (labels or {}).get(path, str(path))
        try:
            old_bytes: bytes | None = path.read_bytes()
        except FileNotFoundError:
            old_bytes = None
        except OSError as exc:
            raise OutputError(f"cannot read {label}: {exc.strerror}") from None
        if old_bytes == new_bytes:
            continue
        before = f"{label} (missing)" if old_bytes is None else label
        old_text = None if old_bytes is None else old_bytes.decode("utf-8", errors="replace")
        new_text = new_bytes.decode("utf-8", errors="replace")
        shown = ""
        if path.suffix == ".eml":
            # Quoted-printable folds every 76 characters: one changed word moves every fold after it. The
            # decoded parts show the change itself (unless one side does not parse: then the lines as they are).
            old_view = None if old_bytes is None else _decoded_message(old_bytes)
            new_view = _decoded_message(new_bytes)
            if new_view is not None and (old_bytes is None or old_view is not None):
                old_text, new_text, shown = old_view, new_view, "; the parts decoded"
        old_lines, new_lines = (old_text or "").splitlines(keepends=True), new_text.splitlines(keepends=True)
        if any(len(line) > _LONG_LINE for line in (*old_lines, *new_lines)):
            # MRML writes an email's body as one line, the checks' JSON is one line: a diff of whole lines would
            # print 50 KB to show one changed word. Both sides are broken alike, between tags and JSON members.
            old_lines, new_lines = _broken(old_lines), _broken(new_lines)
            shown += "; lines broken between tags"
        hunks = list(difflib.unified_diff(old_lines, new_lines, fromfile=before,
                                          tofile=f"{label} (would be written{shown + ' for this diff' if shown else ''})"))
        if not hunks:  # the bytes differ where the diff does not look: say so, or --check would pass
            hunks = [f"--- {before}\n", f"+++ {label} (would be written)\n",
                     "@@ the bytes differ only in line endings, encoding or line breaks: a build writes it anew @@\n"]
        chunks.extend(hunks)
        if chunks and not chunks[-1].endswith("\n"):
            chunks[-1] += "\n\\ No newline at end of file\n"
    return "".join(chunks)


_LONG_LINE = 1000
_BREAK = re.compile(r"(?<=>)(?=<)|(?<=&gt;)(?=&lt;)|(?<=,)(?=\")")


def _broken(lines: list[str]) -> list[str]:
    """Lines longer than a screen's few broken where a tag ends before the next begins, or after a comma
    before a quote (JSON's members); the others as they are."""
    out: list[str] = []
    for line in lines:
        if len(line) <= _LONG_LINE:
            out.append(line)
            continue
        parts = _BREAK.split(line)
        out.extend(part if part.endswith("\n") else part + "\n" for part in parts[:-1])
        out.append(parts[-1])
    return out


def _decoded_message(message: bytes) -> str | None:
    """A MIME message as its headers, then each part's headers and decoded text, for a diff only; None when the
    standard library cannot read it (a file on disk may hold anything)."""
    import codecs
    from email import message_from_bytes, policy

    try:
        parsed = message_from_bytes(message.replace(b"\r\n", b"\n"), policy=policy.default)
        out: list[str] = []
        for part in parsed.walk():
            out.extend(f"{name}: {value}\n" for name, value in part.items())
            out.append("\n")
            if part.is_multipart():
                continue
            payload = part.get_payload(decode=True)
            payload = payload if isinstance(payload, bytes) else b""
            if part.get_content_maintype() != "text":
                out.append(f"({len(payload)} bytes of {part.get_content_type()})\n\n")
                continue
            charset = part.get_content_charset() or "utf-8"
            try:
                codecs.lookup(charset)
            except LookupError:
                charset = "utf-8"
            body = payload.decode(charset, errors="replace")
            out.append(body.replace("\r\n", "\n").rstrip("\n") + "\n\n")
        return "".join(out)
    except Exception:  # noqa: BLE001 - the parser raises IndexError, ValueError, ... on broken headers
        return None
