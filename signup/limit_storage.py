"""The rate limiter's in-process storage, safe between threads.

limits' `MemoryStorage` (5.8) keeps its counters in plain dicts with a lock per key that
its expiry timer may drop while a hit holds it, and restarts that timer without a lock.
Two requests in two threads of one process can then lose an increment (the sixth link to
a mailbox goes out under a limit of five) or both start the timer (RuntimeError, which
the per-address limit takes for an unreachable storage and lets the request through).
A threaded server is all it takes (the development server, a burst in the tests).

This subclass takes the scheme "memory" (limits' registry: the last class to name a
scheme serves it), so `RATELIMIT_STORAGE_URI=memory://`, the default, gets it, and runs
each call with one lock held. A hit is a few dict operations: holding one lock for it
costs nothing a request would notice. Redis, the storage for several processes, counts
atomically itself and is not touched; Flask-Limiter's in-memory fallback while Redis is
unreachable makes limits' own class directly and is left as it is.
"""

from __future__ import annotations

import functools
import threading

from limits.storage import MemoryStorage


def _one_at_a_time(call):
    @functools.wraps(call)
    def locked(self, *args, **kwargs):
        with self._one_at_a_time:
            return call(self, *args, **kwargs)

    return locked


class LockedMemoryStorage(MemoryStorage):
    """`MemoryStorage` with every call made under one lock."""

    STORAGE_SCHEME = ["memory"]

    def __init__(self, *args, **kwargs):
        self._one_at_a_time = threading.RLock()
        super().__init__(*args, **kwargs)

    incr = _one_at_a_time(MemoryStorage.incr)
    decr = _one_at_a_time(MemoryStorage.decr)
    get = _one_at_a_time(MemoryStorage.get)
    get_expiry = _one_at_a_time(MemoryStorage.get_expiry)
    clear = _one_at_a_time(MemoryStorage.clear)
    reset = _one_at_a_time(MemoryStorage.reset)
    acquire_entry = _one_at_a_time(MemoryStorage.acquire_entry)
    get_moving_window = _one_at_a_time(MemoryStorage.get_moving_window)
    acquire_sliding_window_entry = _one_at_a_time(MemoryStorage.acquire_sliding_window_entry)
    get_sliding_window = _one_at_a_time(MemoryStorage.get_sliding_window)
    clear_sliding_window = _one_at_a_time(MemoryStorage.clear_sliding_window)
