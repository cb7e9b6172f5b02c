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

Python's cyclic garbage collector runs out of band (`OutOfBandGC`): the objects loaded at start-up are
frozen out of its sight before the workers fork, and a thread that goes idle collects what its request
left, while the client reads the answer, instead of the collector stopping some later request halfway.
"""

from __future__ import annotations

import gc
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from gunicorn.workers.gthread import ThreadWorker


class OutOfBandGC:
    """Python's garbage collector between requests rather than during them (like Unicorn's OobGC).

    `freeze()`, once the application is loaded: a collection then never traverses the ~130,000 objects of
    Django, the URL map, the models and the translations again (gc.freeze; before the fork, which also
    keeps those pages shared between the workers). A full collection over them took ~80 ms, every few
    hundred requests, in the middle of one.

    `collect()`, by a thread with nothing left to do: collects the youngest generation once a request
    left more than `young` new objects, and the older generations in the same proportions as Python's
    defaults (700, 10, 10) would. The automatic collector stays on with a higher first threshold, as a
    safety net for a request that allocates a great deal.
    """

    def __init__(self, young: int = 700, safety_net: int = 20_000) -> None:
        self.young = young
        self.safety_net = safety_net
        self.middle, self.old = gc.get_threshold()[1:]
        self.collections = [0, 0, 0]

    def freeze(self) -> None:
        """Collect once, then move every object alive now out of the collector's generations."""
        gc.collect()
        gc.freeze()
        gc.set_threshold(self.safety_net, self.middle, self.old)

    def collect(self) -> None:
        """Collect the generations that are due, between requests."""
        young, middle, old = gc.get_count()
        if young < self.young:
            return
        generation = 0
        if middle + 1 >= self.middle:
            generation = 2 if old + 1 >= self.old else 1
        gc.collect(generation)
        self.collections[generation] += 1


class _Slot:
    """One pool thread's mailbox: the job it is given, and the event that wakes it."""

    __slots__ = ("job", "wake")

    def __init__(self) -> None:
        self.job: tuple[Future[Any], Callable[..., Any], tuple[Any, ...], dict[str, Any]] | None = None
        self.wake = threading.Event()


class RecentThreadPool:
    """A thread pool (the part of the Executor API gunicorn uses) whose most recently idle thread works next."""

    def __init__(
        self, max_workers: int, name: str = "itdesk-web", *, when_idle: Callable[[], None] | None = None
    ) -> None:
        """`when_idle`: called by a thread that finished its job and found no other waiting."""
        if max_workers < 1:
            raise ValueError("max_workers must be at least 1")
        self.max_workers = max_workers
        self._when_idle = when_idle
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
            if job is not None:
                future, fn, args, kwargs = job
                if future.set_running_or_notify_cancel():
                    try:
                        result = fn(*args, **kwargs)
                    except (
                        BaseException
                    ) as exc:  # the Future carries it to whoever waits, as the executor does
                        future.set_exception(exc)
                    else:
                        future.set_result(result)
                del future, fn, args, kwargs
            with self._lock:
                if self._waiting:
                    job = self._waiting.popleft()
                    continue
                if self._shutdown:
                    return
                slot.job = None
                slot.wake.clear()
                self._idle.append(slot)
            if self._when_idle is not None:
                # Already on the idle stack: a request arriving now still comes to this (warm) thread, and
                # starts as soon as this returns.
                self._when_idle()
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


OUT_OF_BAND_GC = OutOfBandGC()


class RecentThreadWorker(ThreadWorker):  # type: ignore[misc]
    """gunicorn's gthread worker on a RecentThreadPool, collecting garbage between requests (`itdesk serve`)."""

    def get_thread_pool(self) -> RecentThreadPool:
        return RecentThreadPool(max_workers=self.cfg.threads, when_idle=OUT_OF_BAND_GC.collect)


__all__ = ["OUT_OF_BAND_GC", "OutOfBandGC", "RecentThreadPool", "RecentThreadWorker"]
