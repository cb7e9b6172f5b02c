"""The web server: `itdesk serve` answers over HTTP with gunicorn, and its worker's thread pool gives each
request to the thread that was busy last, starting more threads only when requests overlap; what it
loaded at start-up is frozen out of the garbage collector's sight."""

from __future__ import annotations

import gc
import http.client
import json
import socket
import subprocess
import threading
import time
import weakref

import pytest

from itdesk.core.serving import RecentThreadPool, freeze_loaded
from tests.cli import ITDESK, sqlite_env


def test_one_request_at_a_time_runs_on_one_thread_even_after_a_burst_started_them_all():
    pool = RecentThreadPool(max_workers=4)
    gate = threading.Barrier(4)
    burst = [pool.submit(gate.wait, 5) for _ in range(4)]  # four at once: four threads
    [f.result(timeout=5) for f in burst]
    assert pool.threads_started == 4
    names = [pool.submit(lambda: threading.current_thread().name).result(timeout=5) for _ in range(20)]
    assert len(set(names)) == 1  # the stdlib executor would go round all four
    pool.shutdown()


def test_overlapping_requests_get_more_threads_up_to_the_limit_and_the_rest_wait_their_turn():
    pool = RecentThreadPool(max_workers=3)
    release = threading.Event()
    started = []

    def job(n):
        started.append(n)
        release.wait(timeout=10)
        return threading.current_thread().name

    futures = [pool.submit(job, n) for n in range(5)]
    deadline = time.monotonic() + 5
    while len(started) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.05)
    assert sorted(started) == [0, 1, 2] and pool.threads_started == 3  # two wait for a thread
    release.set()
    names = [f.result(timeout=5) for f in futures]
    assert sorted(started) == [0, 1, 2, 3, 4] and len(set(names)) == 3
    # Idle again: the thread that finished last takes the next request.
    last = pool.submit(lambda: threading.current_thread().name).result(timeout=5)
    assert pool.submit(lambda: threading.current_thread().name).result(timeout=5) == last
    pool.shutdown()


def test_an_exception_reaches_the_future_and_the_thread_lives_on():
    pool = RecentThreadPool(max_workers=1)
    failed = pool.submit(lambda: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        failed.result(timeout=5)
    assert pool.submit(lambda x: x + 1, 41).result(timeout=5) == 42
    pool.shutdown()


def test_shutdown_lets_the_work_already_given_finish_then_ends_every_thread_and_refuses_more():
    pool = RecentThreadPool(max_workers=2)
    assert pool.submit(lambda: "idle now").result(timeout=5) == "idle now"
    gate = threading.Event()
    busy = [pool.submit(lambda: gate.wait(timeout=10)) for _ in range(2)]
    waiting = pool.submit(lambda: "ran after shutdown was asked")
    stopper = threading.Thread(target=pool.shutdown)
    stopper.start()
    time.sleep(0.05)
    assert stopper.is_alive()  # shutdown(wait=True) waits for the busy threads
    gate.set()
    stopper.join(timeout=5)
    assert not stopper.is_alive()
    assert [f.result(timeout=1) for f in busy] == [True, True]
    assert waiting.result(timeout=1) == "ran after shutdown was asked"
    assert not any(thread.is_alive() for thread in pool._threads)
    with pytest.raises(RuntimeError):
        pool.submit(lambda: None)


@pytest.fixture
def collector():
    """Python's collector as the test found it, afterwards (nothing left frozen)."""
    yield
    gc.unfreeze()


class _Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the cyclic collector frees it


def test_what_is_loaded_at_start_up_is_frozen_and_later_garbage_is_still_collected(collector):
    loaded = _Node()
    frozen_cycle = weakref.ref(loaded)
    assert freeze_loaded() > 10_000  # Django, the apps and the test modules
    del loaded
    later = _Node()
    freed = weakref.ref(later)
    del later
    gc.collect()
    assert frozen_cycle() is not None  # frozen: a full collection no longer looks at it, even as garbage
    assert freed() is None  # made after the freeze: collected as usual


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """`itdesk serve` on a fresh SQLite data directory, on a free loopback port."""
    tmp_path = tmp_path_factory.mktemp("itdesk-serve")
    env = sqlite_env(tmp_path)
    for command in (["migrate", "--noinput", "-v0"], ["demo", "--password", "Serve-test-2024"]):
        done = subprocess.run([ITDESK, *command], env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
    port = _free_port()
    log = open(tmp_path / "serve.log", "w+")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [ITDESK, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "2"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert server.poll() is None and time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
            time.sleep(0.2)
    yield port, tmp_path / "serve.log"
    server.terminate()
    server.wait(timeout=30)
    log.close()


def test_itdesk_serve_answers_the_api_over_http_on_kept_alive_connections(served):
    port, log = served
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def call(method, path, body=None, token=None):
        headers = {"Content-Type": "application/json", "Accept-Language": "en"}
        if token:
            headers["Authorization"] = f"Token {token}"
        conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"null")

    status, body = call("GET", "/api/v1/tickets/")
    assert status == 401 and body["code"] == "not_authenticated"
    status, body = call("POST", "/api/v1/auth/token/", {"username": "alice", "password": "Serve-test-2024"})
    token = body["token"]
    numbers = []
    for n in range(3):  # one connection, one request after another
        status, body = call("POST", "/api/v1/tickets/", {"title": f"VPN {n}", "description": "down"}, token)
        assert status == 201
        numbers.append(body["number"])
    assert len(set(numbers)) == 3
    status, body = call("GET", f"/api/v1/tickets/{numbers[0]}/", token=token)
    assert status == 200 and body["title"] == "VPN 0" and body["status"] == "new"
    assert "itdesk.core.serving.RecentThreadWorker" in log.read_text()


def test_overlapping_clients_are_all_answered_and_a_slow_one_holds_no_one_up(served):
    port, _log = served
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(
        "POST",
        "/api/v1/auth/token/",
        body=json.dumps({"username": "alice", "password": "Serve-test-2024"}),
        headers={"Content-Type": "application/json"},
    )
    token = json.loads(conn.getresponse().read())["token"]
    headers = {"Content-Type": "application/json", "Authorization": f"Token {token}"}

    # A client that sends half a request and stalls: its connection waits, the other thread works on.
    slow = socket.create_connection(("127.0.0.1", port), timeout=30)
    slow.sendall(b"POST /api/v1/tickets/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 500\r\n\r\n{")

    numbers, failures = [], []

    def client(n):
        own = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for k in range(4):
            own.request(
                "POST",
                "/api/v1/tickets/",
                body=json.dumps({"title": f"{n}-{k}", "description": "x"}),
                headers=headers,
            )
            response = own.getresponse()
            body = json.loads(response.read())
            (numbers if response.status == 201 else failures).append(body.get("number") or body)

    clients = [threading.Thread(target=client, args=(n,)) for n in range(5)]
    for thread in clients:
        thread.start()
    for thread in clients:
        thread.join(timeout=60)
    slow.close()
    assert failures == [] and len(numbers) == 20 and len(set(numbers)) == 20
