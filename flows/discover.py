"""Input paths → the files to read, and their bytes.

In: the PATHs given to `newsevents run` (files or folders). Out: `Found`
entries (one per file, folders walked recursively in sorted order) and
`RawInput`s holding each file's bytes or the machine-readable reason it could
not be read. Hidden and system files (`.DS_Store`, `Thumbs.db`, dotfiles) and
symlinks that point outside the input folder are never read: they become
quarantine rows (`hidden`, `outside_input`), and so does a path that cannot
be looked at (`bad_name`: not valid UTF-8; `unreadable`: a symlink loop, a
path longer than the OS allows). The warehouse, its lock and its Data Docs
are never inputs, wherever they sit: they are skipped. A file is opened
non-blocking and must still be a regular file when it is opened, not only
when it was found (a file swapped for a pipe never blocks the run). This is
the flow's only file I/O for inputs.
"""

from __future__ import annotations

import functools
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from flows.errors import InputError
from transforms.clean import MAX_BYTES
from transforms.documents import RawInput

SYSTEM_FILES = frozenset({".ds_store", "thumbs.db", "desktop.ini", ".localized", "icon\r"})


@dataclass(frozen=True, slots=True)  # no __dict__: one per input file, for the whole run
class Found:
    path: Path  # as found (absolute, not resolved)
    root: Path  # the input folder it was found under (resolved)
    problem: str | None = None  # hidden, outside_input
    detail: str | None = None


def printable(path: Path | str) -> str:
    """A path as storable text: bytes that are not UTF-8 (a `caf\\xe9.txt` made on a Latin-1 system) are
    written as backslash escapes instead of lone surrogates, which no database or frame can store."""
    try:
        return os.fsencode(str(path)).decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a lone surrogate that did not come from the file system
        return str(path).encode("utf-8", "backslashreplace").decode("utf-8")


def _valid_name(path: Path) -> bool:
    try:
        os.fsencode(str(path)).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _is_hidden(path: Path, root: Path) -> bool:
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        parts = (path.name,)
    return any(p.startswith(".") for p in parts) or path.name.lower() in SYSTEM_FILES


def discover(paths: list[str], exclude: tuple[Path, ...] = ()) -> list[Found]:
    """Every file under `paths` (sorted), each once; `exclude`: paths that are never inputs (the warehouse
    and its companions: skipped, never read, never quarantined: they are ours, not the user's input)."""
    found: list[Found] = []
    seen: set[Path] = set()
    for raw in paths:
        given = Path(raw).expanduser()
        if not path_exists(given):
            raise InputError(f"no such file or folder: {printable(raw)}")
        given = given.absolute()
        try:
            is_dir = given.is_dir()
        except OSError:
            is_dir = False
        if is_dir:
            root = given.resolve()

            def unreadable(exc: OSError, root: Path = root, given: Path = given) -> None:  # os.walk cannot list it
                path = Path(exc.filename) if exc.filename else given
                found.append(Found(path, root, "unreadable", f"cannot list the folder: {exc.strerror or exc}"))

            for folder, dirs, files in os.walk(given, onerror=unreadable, followlinks=False):
                dirs.sort()
                if exclude and _excluded(Path(folder), exclude):
                    dirs.clear()  # the Data Docs folder
                    continue
                real_folder = str(_resolve(Path(folder))) if exclude else None  # once per folder
                for name in sorted(files + [d for d in dirs if _is_link(Path(folder) / d)]):
                    if not (exclude and _excluded(Path(folder) / name, exclude, real_folder)):
                        found.append(_classify(Path(folder) / name, root))
        elif not _excluded(given, exclude):
            found.append(_classify(given, _resolve(given.parent)))
    out = []
    for f in found:
        if f.path not in seen:
            seen.add(f.path)
            out.append(f)
    return out


def path_exists(path: Path) -> bool:
    """Does a PATH given by the user name something (a dangling symlink or a loop counts: it is reported)?"""
    try:
        return path.exists() or path.is_symlink()
    except OSError as exc:
        raise InputError(f"cannot look at {printable(path)}: {exc.strerror or exc}") from None


def _is_link(path: Path) -> bool:
    try:
        return path.is_symlink()
    except OSError:
        return True  # a name too long to look at: _classify says why


def _resolve(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path


def warehouse_companions(db: Path) -> tuple[Path, ...]:
    """The warehouse file and the files beside it that belong to it (never read as input)."""
    db = _resolve(Path(db).expanduser().absolute())
    from expectations.docs import docs_dir_for

    return (db, Path(f"{db}.lock"), Path(f"{db}.wal"), Path(f"{db}.heartbeat"), docs_dir_for(db))


def _excluded(path: Path, exclude: tuple[Path, ...], real_folder: str | None = None) -> bool:
    """Is `path` (resolved) one of `exclude` or inside one? `real_folder`: its folder, already resolved
    (a path that is not a symlink then resolves to `real_folder/name` without a walk up the tree:
    10,000 files are checked in milliseconds)."""
    if not exclude or not _valid_name(path):
        return False
    try:
        if real_folder is not None and not os.path.islink(path):
            real = os.path.join(real_folder, path.name)
        else:
            real = str(_resolve(path))
        return any(real == e or real.startswith(inside) for e, inside in _as_text(exclude))
    except (OSError, ValueError):
        return False


@functools.cache
def _as_text(exclude: tuple[Path, ...]) -> tuple[tuple[str, str], ...]:
    """Each excluded path as text, and the prefix of what lies inside it."""
    return tuple((str(e), str(e).rstrip(os.sep) + os.sep) for e in exclude)


def _classify(path: Path, root: Path) -> Found:
    """What a found path is: a file to read, or why not (never raises)."""
    if not _valid_name(path):
        return Found(path, root, "bad_name", "the path is not valid UTF-8: rename the file to read it")
    try:
        return _classify_path(path, root)
    except RuntimeError as exc:  # pathlib's "Symlink loop from …"
        return Found(path, root, "unreadable", f"cannot follow the path: {printable(str(exc))}")
    except OSError as exc:
        return Found(path, root, "unreadable", f"cannot look at the path: {exc.strerror or exc}")


def _classify_path(path: Path, root: Path) -> Found:
    if _is_hidden(path, root):
        return Found(path, root, "hidden", "hidden or system file: not an article")
    if path.is_symlink():
        target = path.resolve()
        if not target.is_relative_to(root):
            detail = f"symlink to {printable(target)}, outside the input folder: not read"
            return Found(path, root, "outside_input", detail)
        if target.is_dir():
            return Found(path, root, "not_a_file", "symlink to a folder: not followed")
        if not target.is_file():  # a dangling link, or one to a pipe or device (reading it could block)
            return Found(path, root, "not_a_file", f"symlink to {printable(target)}, which is not a regular file")
    elif not path.is_file():
        return Found(path, root, "not_a_file", "not a regular file (device, socket or pipe)")
    return Found(path, root)


def read_input(found: Found) -> RawInput:
    uri, name = printable(found.path), printable(found.path.name)
    if found.problem:
        return RawInput(uri, name, error=found.problem, error_detail=found.detail)
    try:
        # non-blocking: a file swapped for a named pipe since planning must not hang the run in open()
        fd = os.open(found.path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except PermissionError as exc:
        return RawInput(uri, name, error="unreadable", error_detail=f"permission denied: {exc.strerror}")
    except OSError as exc:
        return RawInput(uri, name, error="unreadable", error_detail=f"cannot read: {exc.strerror or exc}")
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):  # checked on what was opened, not on what was found
            return RawInput(uri, name, error="not_a_file", error_detail="not a regular file when opened")
        if st.st_size > MAX_BYTES:
            return RawInput(uri, name, error="too_large", error_detail=f"{st.st_size} bytes, more than {MAX_BYTES}")
        with os.fdopen(os.dup(fd), "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        return RawInput(uri, name, error="unreadable", error_detail=f"cannot read: {exc.strerror or exc}")
    finally:
        os.close(fd)
    return RawInput(uri, name, data=data)
