"""`NodeCache`: a file one process wrote is read back by the next, exactly, or not at all.

Its content steers hazard matching, so every way it can go wrong (a folder others can
write, a cut or altered file, a failed write) ends in a warning and a miss, never in
wrong bytes and never in an exception."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from runtime.node_cache import KEPT_PER_KIND, NodeCache, cache_key

KEY = cache_key("model", "text")
CONTENT = b"vectors of the shipped sentences" * 100


def _warnings(logs: list[dict[str, object]]) -> list[object]:
    return [entry["event"] for entry in logs if entry["log_level"] == "warning"]


def test_what_one_process_writes_the_next_reads(tmp_path: Path) -> None:
    NodeCache(tmp_path / "cache").write("vectors", KEY, CONTENT)
    assert NodeCache(tmp_path / "cache").read("vectors", KEY) == CONTENT
    assert NodeCache(tmp_path / "cache").read("vectors", cache_key("model", "other")) is None


def test_the_folder_is_created_for_this_user_alone(tmp_path: Path) -> None:
    folder = tmp_path / "deep" / "cache"
    previous = os.umask(0)  # even with a permissive umask
    try:
        NodeCache(folder).write("vectors", KEY, CONTENT)
    finally:
        os.umask(previous)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    (entry,) = folder.iterdir()
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600


@pytest.mark.parametrize("damage", ["flipped byte", "cut short", "cut inside the digest",
                                    "empty"])
def test_a_damaged_file_is_a_miss_with_one_warning(tmp_path: Path, damage: str) -> None:
    cache = NodeCache(tmp_path)
    cache.write("vectors", KEY, CONTENT)
    (path,) = tmp_path.iterdir()
    stored = path.read_bytes()
    path.write_bytes({"flipped byte": stored[:-1] + bytes([stored[-1] ^ 1]),
                      "cut short": stored[: len(stored) // 2],
                      "cut inside the digest": stored[:10], "empty": b""}[damage])
    with capture_logs() as logs:
        assert NodeCache(tmp_path).read("vectors", KEY) is None
    assert _warnings(logs) == ["node_cache_corrupt"]


def test_an_unreadable_entry_is_a_miss_with_one_warning(tmp_path: Path) -> None:
    cache = NodeCache(tmp_path)
    cache.write("vectors", KEY, CONTENT)
    (path,) = tmp_path.iterdir()
    path.unlink()
    path.mkdir()  # reading it fails with an OS error
    with capture_logs() as logs:
        assert cache.read("vectors", KEY) is None
    assert _warnings(logs) == ["node_cache_unreadable"]


def test_a_failed_write_is_a_warning_and_leaves_no_partial_file(tmp_path: Path) -> None:
    cache = NodeCache(tmp_path)
    (tmp_path / f"vectors-{KEY}").mkdir()  # the rename onto it fails
    with capture_logs() as logs:
        cache.write("vectors", KEY, CONTENT)
    assert _warnings(logs) == ["node_cache_unwritable"]
    assert [path.name for path in tmp_path.iterdir()] == [f"vectors-{KEY}"]


@pytest.mark.parametrize("mode", [0o777, 0o720, 0o702])
def test_a_folder_others_may_write_is_never_used(tmp_path: Path, mode: int) -> None:
    NodeCache(tmp_path / "cache").write("vectors", KEY, CONTENT)
    (tmp_path / "cache").chmod(mode)
    with capture_logs() as logs:
        cache = NodeCache(tmp_path / "cache")
        assert cache.read("vectors", KEY) is None
        cache.write("vectors", cache_key("another"), CONTENT)
    assert _warnings(logs) == ["node_cache_unusable"]  # once, not per use
    assert len(list((tmp_path / "cache").iterdir())) == 1


def test_a_symlinked_folder_is_never_used(tmp_path: Path) -> None:
    NodeCache(tmp_path / "real").write("vectors", KEY, CONTENT)
    (tmp_path / "link").symlink_to(tmp_path / "real")
    with capture_logs() as logs:
        assert NodeCache(tmp_path / "link").read("vectors", KEY) is None
    assert _warnings(logs) == ["node_cache_unusable"]


def test_older_versions_of_a_kind_are_pruned_others_kept(tmp_path: Path) -> None:
    cache = NodeCache(tmp_path)
    cache.write("graph", cache_key("graph"), CONTENT)
    keys = [cache_key("vectors", str(version)) for version in range(KEPT_PER_KIND + 2)]
    for age, key in enumerate(keys):
        cache.write("vectors", key, CONTENT)
        os.utime(tmp_path / f"vectors-{key}", (1000 + age, 1000 + age))
    cache.write("vectors", keys[-1], CONTENT)  # prunes, the newest kept
    kept = [key for key in keys if cache.read("vectors", key) == CONTENT]
    assert kept == keys[-KEPT_PER_KIND:]
    assert cache.read("graph", cache_key("graph")) == CONTENT


def test_the_setting_names_the_folder_or_turns_the_cache_off(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert NodeCache.configured("off") is None
    default = NodeCache.configured("")
    chosen = NodeCache.configured(str(tmp_path / "chosen"))
    assert default is not None and default.folder == tmp_path / "xdg/clientsvia/node-cache"
    assert chosen is not None and chosen.folder == tmp_path / "chosen"


def test_keys_of_different_part_lists_differ() -> None:
    assert cache_key("a b", "c") != cache_key("a", "b c")
    assert cache_key("a", "b") != cache_key("a", "b", "")


def test_a_process_without_a_home_folder_computes_its_own(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr(Path, "home", no_home)
    with capture_logs() as logs:
        assert NodeCache.configured("") is None
    assert _warnings(logs) == ["node_cache_unusable"]
