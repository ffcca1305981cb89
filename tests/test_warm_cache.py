"""The start-up cache (flows/warm_cache.py): a run restores the lexicon and matchers an earlier run stored,
codes the same with them, and never trusts a stale or broken entry."""

from __future__ import annotations

import os
import shutil
import threading
from importlib import metadata
from pathlib import Path

import pytest
import spacy

from flows import warm_cache
from flows.settings import Settings
from tests.conftest import code_article, one
from transforms import lexicon
from transforms.actors import actor_index
from transforms.lexicon import load_lexicon
from transforms.version import DICTIONARY_DIR

TEXT = (
    "Kenyan police arrested 40 protesters in Nairobi on Monday.\n"
    "Vladimir Putin met Kim Jong Un in Pyongyang on Tuesday."
)


@pytest.fixture
def dictionaries(tmp_path):
    """A dictionaries folder of the hand-written files only (quick to build)."""
    folder = tmp_path / "dictionaries"
    folder.mkdir()
    for path in DICTIONARY_DIR.glob("*.yaml"):
        shutil.copy(path, folder / path.name)
    return folder


@pytest.fixture
def settings(dictionaries, tmp_path):
    return Settings(dictionaries=str(dictionaries), cache_dir=str(tmp_path / "cache"))


def _new_run(monkeypatch) -> None:
    """What a new process knows: no lexicon loaded yet."""
    monkeypatch.setattr(lexicon, "_LOADED", {})


def _built_and_stored(settings, nlp, monkeypatch):
    _new_run(monkeypatch)
    assert not warm_cache.restore(settings)  # nothing stored yet
    built = load_lexicon(settings.dictionaries)
    events = code_article(nlp, built, TEXT)[0]  # the extraction builds the index and the matchers
    actor_index(built, spacy.blank("en")("Kenya"))  # a matcher of another vocab: left out of the cache
    warm_cache.store(settings, nlp, built)
    return built, events


def _entries(settings):
    return list(settings.cache_path.glob("lexicon-*.pickle"))


def test_a_run_restores_the_lexicon_and_matchers_an_earlier_run_stored(settings, nlp, monkeypatch):
    built, events = _built_and_stored(settings, nlp, monkeypatch)
    assert len(_entries(settings)) == 1
    _new_run(monkeypatch)
    assert warm_cache.restore(settings)
    restored = load_lexicon(settings.dictionaries)
    assert restored is not built and restored.version == built.version
    assert {k[0].rsplit(".", 1)[-1] for k in restored.built} >= {"_index", "_imported_index", "_gazetteer"}
    assert all(a is nlp.vocab for k in restored.built for a in k[1:] if isinstance(a, type(nlp.vocab)))
    again = code_article(nlp, restored, TEXT)[0]
    arrest, meet = one(again, "COERCE"), one(again, "CONSULT")
    assert arrest["actor1_country"] == "KEN"
    assert (meet["actor1"], meet["actor2"]) == ("Vladimir Putin", "Kim Jong Un")
    assert [(e["event_type"], e["actor1"], e["actor2"]) for e in again] == [
        (e["event_type"], e["actor1"], e["actor2"]) for e in events
    ]


def test_an_edited_dictionary_is_built_again_not_read_from_the_cache(settings, nlp, monkeypatch, dictionaries):
    _built_and_stored(settings, nlp, monkeypatch)
    with (dictionaries / "persons.yaml").open("a", encoding="utf-8") as fh:
        fh.write("- {name: Amina Okafor, country: NGA, title: interior minister}\n")
    _new_run(monkeypatch)
    assert not warm_cache.restore(settings)
    lex = load_lexicon(settings.dictionaries)
    assert any(a.name == "Amina Okafor" and a.country == "NGA" for a in lex.actors)
    events = code_article(nlp, lex, "Amina Okafor visited Ghana on Friday.")[0]
    assert one(events, "CONSULT")["actor1_country"] == "NGA"


def test_a_broken_or_foreign_cache_file_is_not_trusted(settings, nlp, monkeypatch):
    _built_and_stored(settings, nlp, monkeypatch)
    [path] = _entries(settings)
    good = path.read_bytes()
    key = path.stem.removeprefix("lexicon-").encode()
    damaged = {
        "garbage": b"\x80\x04not a pickle at all" * 100,
        "truncated": good[: len(good) // 2],
        "a byte changed": good[:-10] + bytes([good[-10] ^ 1]) + good[-9:],
        "another key's entry": good.replace(key, b"0" * len(key), 1),
    }
    for why, data in damaged.items():
        path.write_bytes(data)
        _new_run(monkeypatch)
        assert not warm_cache.restore(settings), why  # no error: the run builds the lexicon
        assert not path.exists() and lexicon.loaded(settings.dictionaries) is None, why  # deleted, nothing loaded
    path.write_bytes(good)
    _new_run(monkeypatch)
    assert warm_cache.restore(settings)


def test_the_cache_can_be_turned_off(dictionaries, tmp_path, nlp, monkeypatch):
    settings = Settings(dictionaries=str(dictionaries), cache_dir=str(tmp_path / "cache"), use_cache=False)
    assert settings.cache_path is None
    _new_run(monkeypatch)
    lex = load_lexicon(settings.dictionaries)
    code_article(nlp, lex, TEXT)
    warm_cache.store(settings, nlp, lex)
    assert not (tmp_path / "cache").exists()
    _new_run(monkeypatch)
    assert not warm_cache.restore(settings)


def test_the_default_cache_folder_is_the_users_cache_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert Settings().cache_path == tmp_path / "xdg" / "newsevents"
    monkeypatch.setenv("NEWSEVENTS_CACHE_DIR", str(tmp_path / "mine"))
    from flows.settings import load_settings

    assert load_settings(cwd=tmp_path).cache_path == tmp_path / "mine"


def test_an_entry_another_user_could_have_written_is_not_unpickled(settings, nlp, monkeypatch):
    # a pickle runs code when loaded: only a file of the user's own, writable by no one else, is read
    _built_and_stored(settings, nlp, monkeypatch)
    [path] = _entries(settings)
    good = path.read_bytes()
    monkeypatch.setattr(warm_cache, "_user", lambda: path.stat().st_uid + 1)  # the file is someone else's
    _new_run(monkeypatch)
    assert not warm_cache.restore(settings) and lexicon.loaded(settings.dictionaries) is None
    monkeypatch.undo()
    path.write_bytes(good)
    path.chmod(0o666)  # the user's, but anyone may write it
    _new_run(monkeypatch)
    assert not warm_cache.restore(settings) and lexicon.loaded(settings.dictionaries) is None
    path.write_bytes(good)
    path.chmod(0o600)
    _new_run(monkeypatch)
    assert warm_cache.restore(settings)


def test_a_link_planted_where_the_entry_is_written_is_not_followed(settings, nlp, monkeypatch, tmp_path):
    victim = tmp_path / "notes.txt"
    victim.write_text("Protest in Santiago: notes", encoding="utf-8")
    _new_run(monkeypatch)
    lex = load_lexicon(settings.dictionaries)
    code_article(nlp, lex, TEXT)
    path = warm_cache.entry_path(settings, warm_cache.cache_key(lex.version))
    path.parent.mkdir(parents=True)
    path.with_name(f".{path.name}.{os.getpid()}.tmp").symlink_to(victim)  # a name another user could guess
    warm_cache.store(settings, nlp, lex)
    assert victim.read_text(encoding="utf-8") == "Protest in Santiago: notes"
    assert path.is_file() and not path.is_symlink()
    _new_run(monkeypatch)
    assert warm_cache.restore(settings)


def test_no_home_folder_means_no_cache_not_an_error(dictionaries, nlp, monkeypatch):
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)

    def no_home(cls):
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", classmethod(no_home))
    settings = Settings(dictionaries=str(dictionaries))
    _new_run(monkeypatch)
    assert not warm_cache.restore(settings)
    lex = load_lexicon(settings.dictionaries)
    warm_cache.store(settings, nlp, lex)  # nothing written, nothing raised
    assert lex.actors


def test_the_key_changes_with_the_yaml_parser(monkeypatch):
    # PyYAML reads the dictionaries: another version may read them otherwise
    real = metadata.version
    before = warm_cache.cache_key("0123456789ab")
    monkeypatch.setattr(metadata, "version", lambda name: "99.0" if name.lower() == "pyyaml" else real(name))
    assert warm_cache.cache_key("0123456789ab") != before


def test_a_pipe_in_the_cache_folder_is_not_waited_on(settings, monkeypatch):
    _new_run(monkeypatch)
    lex = load_lexicon(settings.dictionaries)
    path = warm_cache.entry_path(settings, warm_cache.cache_key(lex.version))
    path.parent.mkdir(parents=True)
    os.mkfifo(path)
    _new_run(monkeypatch)
    answer: list[bool] = []
    reader = threading.Thread(target=lambda: answer.append(warm_cache.restore(settings)), daemon=True)
    reader.start()
    reader.join(30)
    assert answer == [False]  # at once, as with no entry: the lexicon is built


def test_pruning_keeps_a_running_writers_temporary_file(tmp_path):
    running = tmp_path / f".lexicon-0a1b.pickle.{os.getpid()}.k3x_9q.tmp"
    gone = tmp_path / ".lexicon-0a1b.pickle.999999999.p0z8ab.tmp"  # no such process
    for path in (running, gone):
        path.write_bytes(b"half an entry")
    warm_cache._prune(tmp_path)
    assert running.exists() and not gone.exists()
