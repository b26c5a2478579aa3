"""What an engine context remembers between use cases: facts about deployed versions, which never change.

Every cache is a `Memo`: a map guarded by a lock, shared by the threads of one process (the web
server's request threads, the timer worker). A value is computed outside the lock, since loading
a model takes long; when two threads compute the same key at once, the first value stored wins
and both get it, so every caller sees one object per key.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from engine.runtime.live import LiveWorkflows

if TYPE_CHECKING:  # pragma: no cover - type hints only
    from engine.matters.files import Matter
    from engine.model.calls import CalledFile
    from engine.model.types import Model

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Memo(Generic[K, V]):
    """A thread-safe map from keys to values computed once per key."""

    def __init__(self) -> None:
        self._values: dict[K, V] = {}
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        """The value stored for `key`, or None."""
        with self._lock:
            return self._values.get(key)

    def put(self, key: K, value: V) -> V:
        """Store `value` unless `key` has one already; return the stored value."""
        with self._lock:
            return self._values.setdefault(key, value)

    def get_or_compute(self, key: K, compute: Callable[[], V]) -> V:
        """The value stored for `key`, computing and storing it first if there is none."""
        with self._lock:
            if key in self._values:
                return self._values[key]
        return self.put(key, compute())


@dataclass(frozen=True)
class ContextCaches:
    """The caches of one EngineContext, one slot per kind of fact."""

    versions: Memo[int, tuple[Model, Matter | None]] = field(default_factory=Memo)  # version id -> loaded
    # a version that calls shared sub-processes: (version id, the shared versions it runs) -> loaded
    pinned: Memo[tuple[int, frozenset[tuple[str, int]]], tuple[Model, Matter | None]] = field(default_factory=Memo)
    shared_files: Memo[int, CalledFile] = field(default_factory=Memo)  # shared version id -> its file
    version_numbers: Memo[int, int] = field(default_factory=Memo)  # version id -> 1, 2, ...
    static_metrics: Memo[tuple[str, str, str], dict[str, Any]] = field(default_factory=Memo)  # (hash, variant, yaml)
    expected_steps: Memo[int, int] = field(default_factory=Memo)  # version id -> steps on the expected path
    version_facts: Memo[int, Any] = field(default_factory=Memo)  # version id -> audit.summaries.VersionFacts
    department_names: Memo[int, dict[str, Any]] = field(default_factory=Memo)  # newest version id -> id -> Names
    live: LiveWorkflows = field(default_factory=LiveWorkflows)  # case id -> its workflow as last saved here
