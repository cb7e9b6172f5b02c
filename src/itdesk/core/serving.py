"""The web server's worker: gunicorn's threaded worker, giving each request to the thread that was busy last.

gunicorn's `gthread` worker runs requests on a `concurrent.futures.ThreadPoolExecutor`, whose idle threads
take work in turn, so consecutive requests land on different threads. Each thread has its own database
connection, and SQLite empties a connection's page cache whenever another connection wrote since its last
transaction: with four threads taking turns, nearly every request starts on a cold cache and reads its
pages again (a ticket create: ~40 pages from the write-ahead log). `RecentThreadPool` gives each request
to the thread that went idle most recently (a stack, not a queue): one request at a time runs on one
thread with a warm cache, and the other threads only start when requests overlap, so slow downloads
still cannot hold the whole worker. It starts threads as they are first needed, like the executor.

Measured with the serial benchmark (benchmarks/README.md): the same as one thread per worker, and 10-30%
more requests per second than the executor's turn-taking with four threads.

`freeze_loaded()` puts what the application loaded at start-up out of the garbage collector's sight
before the workers fork.
"""

from __future__ import annotations

import gc
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from gunicorn.workers.gthread import ThreadWorker


def freeze_loaded() -> int:
    """Collect once, then move every object alive now out of the collector's generations (gc.freeze).

    Called by `itdesk serve` once Django, the URL map and every view are loaded, before the workers fork:
    a full collection then no longer traverses those ~130,000 objects (it took ~80 ms, every few hundred
    requests, in the middle of one), and the workers keep sharing their memory pages with the master
    instead of copying them as the collector touches them. Returns how many objects were frozen.
    """
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


class _Slot:
    """One pool thread's mailbox: the job it is given, and the event that wakes it."""

    __slots__ = ("job", "wake")

    def __init__(self) -> None:
        self.job: tuple[Future[Any], Callable[..., Any], tuple[Any, ...], dict[str, Any]] | None = None
        self.wake = threading.Event()


class RecentThreadPool:
    """A thread pool (the part of the Executor API gunicorn uses) whose most recently idle thread works next."""

    def __init__(self, max_workers: int, name: str = "itdesk-web") -> None:
        if max_workers < 1:
            raise ValueError("max_workers must be at least 1")
        self.max_workers = max_workers
        self._name = name
        self._lock = threading.Lock()
        self._idle: list[_Slot] = []  # a stack: the last thread to go idle is at the end
        self._waiting: deque[tuple[Future[Any], Callable[..., Any], tuple[Any, ...], dict[str, Any]]] = (
            deque()
        )
        self._threads: list[threading.Thread] = []
        self._shutdown = False

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        """Run `fn(*args, **kwargs)` on a pool thread; its Future holds the result or the exception."""
        future: Future[Any] = Future()
        job = (future, fn, args, kwargs)
        with self._lock:
            if self._shutdown:
                raise RuntimeError("cannot submit to a pool that was shut down")
            if self._idle:
                slot = self._idle.pop()
                slot.job = job
                slot.wake.set()
            elif len(self._threads) < self.max_workers:
                slot = _Slot()
                slot.job = job
                thread = threading.Thread(
                    target=self._work, args=(slot,), name=f"{self._name}-{len(self._threads)}", daemon=True
                )
                self._threads.append(thread)
                thread.start()
            else:
                self._waiting.append(job)
        return future

    def _work(self, slot: _Slot) -> None:
        job = slot.job
        while True:
            done: tuple[Future[Any], bool, Any] | None = None
            if job is not None:
                future, fn, args, kwargs = job
                if future.set_running_or_notify_cancel():
                    try:
                        done = (future, True, fn(*args, **kwargs))
                    except (
                        BaseException
                    ) as exc:  # the Future carries it to whoever waits, as the executor does
                        done = (future, False, exc)
                del future, fn, args, kwargs
            stop = False
            with self._lock:
                if self._waiting:
                    job = self._waiting.popleft()
                else:
                    job = None
                    stop = self._shutdown
                    if not stop:
                        slot.job = None
                        slot.wake.clear()
                        # Back on the idle stack before the result is handed over: whoever waited for it
                        # and submits the next job gets this thread, not one that went idle earlier.
                        self._idle.append(slot)
            if done is not None:
                future, ok, value = done
                if ok:
                    future.set_result(value)
                else:
                    future.set_exception(value)
                del done, future, value
            if job is not None:
                continue
            if stop:
                return
            slot.wake.wait()
            with self._lock:
                job = slot.job
                if job is None and self._shutdown:
                    return

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Stop taking work; idle threads end, busy ones after their job (and any still waiting)."""
        with self._lock:
            self._shutdown = True
            if cancel_futures:
                while self._waiting:
                    self._waiting.popleft()[0].cancel()
            idle, self._idle = self._idle, []
            for slot in idle:
                slot.wake.set()
            threads = list(self._threads)
        if wait:
            for thread in threads:
                thread.join()

    @property
    def threads_started(self) -> int:
        """How many threads the pool has started so far."""
        return len(self._threads)


class RecentThreadWorker(ThreadWorker):  # type: ignore[misc]
    """gunicorn's gthread worker on a RecentThreadPool (`itdesk serve` uses it)."""

    def get_thread_pool(self) -> RecentThreadPool:
        return RecentThreadPool(max_workers=self.cfg.threads)


__all__ = ["RecentThreadPool", "RecentThreadWorker", "freeze_loaded"]
