"""`NodeCache`: files every process of this node would otherwise compute alike at start-up.

Each call actor loads the embedding model (rewriting its graph onto integer kernels) and
embeds the shipped catalog, hazard and intent sentences: ~0.6-0.9 s of CPU that a burst of
callers, whose pool grows by starting actors, pays for while being greeted. The results
are the same in every process of the node, so the first process writes them here and the
next ones read them.

What is read back steers the hazard matching, so the cache holds to four rules:
- keys name everything the content depends on (callers hash it with `cache_key`): a
  changed input is a different file, never a stale one reused;
- the folder is this user's alone (created 0700; a symlink, another user's folder or one
  that others may write is refused), never a shared /tmp path;
- a file is written to a private temporary and renamed into place (readers see all of it
  or nothing), and carries the sha256 of its content, checked on every read;
- any problem (unsafe folder, unreadable, truncated or altered file, full disk) is logged
  once as a warning and the caller computes the value itself: a start never fails here.
Content is plain bytes (numpy `.npy`, ONNX protobuf), never pickles.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import tempfile
import time
from pathlib import Path

import structlog

log = structlog.get_logger(__name__)

DIGEST_BYTES = 32  # sha256 of the content, stored in front of it
KEPT_PER_KIND = 3  # entries of one kind kept (other versions side by side on a node)
PARTIAL = ".partial-"
PARTIAL_KEPT_S = 3600.0  # a temporary this old was left by a writer that died
OFF = "off"


def user_cache_folder() -> Path:
    """This user's `clientsvia` cache folder (XDG); not created here."""
    root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(root) / "clientsvia"


def cache_key(*parts: str) -> str:
    """A file-name-safe digest of `parts` (JSON-encoded, so no two lists share a key)."""
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


class NodeCache:
    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._usable: bool | None = None  # checked on first use

    @classmethod
    def configured(cls, setting: str) -> NodeCache | None:
        """From the NODE_CACHE_DIR setting: a folder, "" for this user's cache folder, or
        "off" (None: every process computes its own)."""
        if setting == OFF:
            return None
        if setting:
            return cls(Path(setting))
        try:
            return cls(user_cache_folder() / "node-cache")
        except RuntimeError as exc:  # no home folder (a service account): compute instead
            log.warning("node_cache_unusable", reason=str(exc))
            return None

    @property
    def folder(self) -> Path:
        return self._folder

    def read(self, kind: str, key: str) -> bytes | None:
        """The stored content, verified; None when absent or unusable (then warned)."""
        path = self._path(kind, key)
        if not self._folder_usable():
            return None
        try:
            stored = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            log.warning("node_cache_unreadable", file=str(path), reason=str(exc))
            return None
        digest, content = stored[:DIGEST_BYTES], stored[DIGEST_BYTES:]
        if len(digest) < DIGEST_BYTES or hashlib.sha256(content).digest() != digest:
            log.warning("node_cache_corrupt", file=str(path), size=len(stored),
                        reason="content does not match its sha256; computing it again")
            return None
        return content

    def write(self, kind: str, key: str, content: bytes) -> None:
        """Store `content` atomically (best effort: a failure is a warning, not an error)."""
        if not self._folder_usable():
            return
        path = self._path(kind, key)
        partial: str | None = None
        try:
            handle, partial = tempfile.mkstemp(dir=self._folder, prefix=PARTIAL)  # mode 0600
            with os.fdopen(handle, "wb") as out:
                out.write(hashlib.sha256(content).digest())
                out.write(content)
            os.replace(partial, path)
        except OSError as exc:
            log.warning("node_cache_unwritable", file=str(path), reason=str(exc))
            if partial is not None:
                with contextlib.suppress(OSError):
                    os.unlink(partial)
            return
        self._prune(kind)

    def _path(self, kind: str, key: str) -> Path:
        return self._folder / f"{kind}-{key}"

    def _folder_usable(self) -> bool:
        if self._usable is None:
            self._usable = self._check_folder()
        return self._usable

    def _check_folder(self) -> bool:
        """Ours alone: created 0700 when missing; one that others may write is refused."""
        try:
            self._folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            info = os.lstat(self._folder)
        except OSError as exc:
            log.warning("node_cache_unusable", folder=str(self._folder), reason=str(exc))
            return False
        problem = ("not a directory" if not stat.S_ISDIR(info.st_mode)
                   else "owned by another user" if info.st_uid != os.getuid()
                   else "others may write it" if info.st_mode & 0o022 else None)
        if problem is not None:
            log.warning("node_cache_unusable", folder=str(self._folder),
                        reason=f"{problem}; use a folder with mode 0700 (chmod 700)")
            return False
        return True

    def _prune(self, kind: str) -> None:
        """Keep the `KEPT_PER_KIND` newest entries of a kind (older versions' files go),
        and drop temporaries left by writers that died."""
        with contextlib.suppress(OSError):  # another process pruned them first
            entries = sorted(self._folder.glob(f"{kind}-{'[0-9a-f]' * 64}"),
                             key=lambda path: path.stat().st_mtime, reverse=True)
            for old in entries[KEPT_PER_KIND:]:
                old.unlink()
            stale = time.time() - PARTIAL_KEPT_S
            for partial in self._folder.glob(f"{PARTIAL}*"):
                if partial.stat().st_mtime < stale:
                    partial.unlink()
