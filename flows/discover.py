"""Input paths → the files to read, and their bytes.

In: the PATHs given to `newsevents run` (files or folders). Out: `Found`
entries (one per file, folders walked recursively in sorted order) and
`RawInput`s holding each file's bytes or the machine-readable reason it could
not be read. Hidden and system files (`.DS_Store`, `Thumbs.db`, dotfiles) and
symlinks that point outside the input folder are never read: they become
quarantine rows (`hidden`, `outside_input`). This is the flow's only file I/O
for inputs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from transforms.clean import MAX_BYTES
from transforms.documents import RawInput

SYSTEM_FILES = frozenset({".ds_store", "thumbs.db", "desktop.ini", ".localized", "icon\r"})


class InputError(ValueError):
    """A PATH given on the command line that does not exist."""


@dataclass(frozen=True)
class Found:
    path: Path  # as found (absolute, not resolved)
    root: Path  # the input folder it was found under (resolved)
    problem: str | None = None  # hidden, outside_input
    detail: str | None = None


def _is_hidden(path: Path, root: Path) -> bool:
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        parts = (path.name,)
    return any(p.startswith(".") for p in parts) or path.name.lower() in SYSTEM_FILES


def discover(paths: list[str]) -> list[Found]:
    found: list[Found] = []
    seen: set[Path] = set()
    for raw in paths:
        given = Path(raw).expanduser()
        if not given.exists() and not given.is_symlink():
            raise InputError(f"no such file or folder: {raw}")
        given = given.absolute()
        if given.is_dir():
            root = given.resolve()
            for folder, dirs, files in os.walk(given, followlinks=False):
                dirs.sort()
                for name in sorted(files + [d for d in dirs if (Path(folder) / d).is_symlink()]):
                    found.append(_classify(Path(folder) / name, root))
        else:
            found.append(_classify(given, given.parent.resolve()))
    out = []
    for f in found:
        if f.path not in seen:
            seen.add(f.path)
            out.append(f)
    return out


def _classify(path: Path, root: Path) -> Found:
    if _is_hidden(path, root):
        return Found(path, root, "hidden", "hidden or system file: not an article")
    if path.is_symlink():
        target = path.resolve()
        if not target.is_relative_to(root):
            return Found(path, root, "outside_input", f"symlink to {target}, outside the input folder: not read")
        if target.is_dir():
            return Found(path, root, "not_a_file", "symlink to a folder: not followed")
        if not target.is_file():  # a dangling link, or one to a pipe or device (reading it could block)
            return Found(path, root, "not_a_file", f"symlink to {target}, which is not a regular file")
    elif not path.is_file():
        return Found(path, root, "not_a_file", "not a regular file (device, socket or pipe)")
    return Found(path, root)


def read_input(found: Found) -> RawInput:
    uri, name = str(found.path), found.path.name
    if found.problem:
        return RawInput(uri, name, error=found.problem, error_detail=found.detail)
    try:
        size = found.path.stat().st_size
        if size > MAX_BYTES:
            return RawInput(uri, name, error="too_large", error_detail=f"{size} bytes, more than {MAX_BYTES}")
        with open(found.path, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except PermissionError as exc:
        return RawInput(uri, name, error="unreadable", error_detail=f"permission denied: {exc.strerror}")
    except OSError as exc:
        return RawInput(uri, name, error="unreadable", error_detail=f"cannot read: {exc.strerror or exc}")
    return RawInput(uri, name, data=data)
