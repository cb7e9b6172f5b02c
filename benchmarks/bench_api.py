"""Latency and throughput of the ITDesk REST API, measured against a running server.

Run with::

    python benchmarks/bench_api.py --url http://127.0.0.1:8000 --username agent1 --password PW \\
        --requester alice --requester-password PW [--creates 500] [--lists 200] [--details 200]

One serial client per measurement, on one kept-alive connection. By default the client is the standard
library's http.client, which costs ~0.3 ms per request on this machine; `--client requests` uses a
requests.Session instead, which adds 1-1.5 ms of client time to every request (the figures then say more
about the client than about the server).
Measured: creating a ticket as the requester (tickets per second), with the whole ticket in the answer
and with `Prefer: return=minimal` (number, version, status and URL only, as integrations filing many
tickets would ask), a page of the open queue as the agent
(GET /api/v1/tickets/?queue=open&page_size=25), the detail of random tickets as the agent, and the detail
of tickets created by the run (which, unlike generated ones, have SLA clocks to explain). When the
server runs with ITDESK_QUERY_COUNT_HEADER=1, the X-ITDesk-Queries header gives the SQL queries per request.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests

CATEGORIES = ["hardware-printer", "hardware-pc", "software-office", "software-business", "network-vpn",
              "network-wifi", "account-password", "account-access", "service-request"]  # fmt: skip
TITLES = ["打印机卡纸", "VPN连接失败，错误 809", "Outlook 无法发送邮件", "新员工入职开通账号", "密码重置",
          "电脑蓝屏", "业务系统无法登录", "Laptop very slow after update", "Cannot open the shared drive"]  # fmt: skip


@dataclass
class Measurement:
    """Timings, failures and query counts of one kind of request."""

    name: str
    seconds: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    errors: int = 0
    first_error: str = ""
    wall: float = 0.0

    def record(self, response: Any, elapsed: float, expected: int) -> None:
        """Keep one request's time, its query count and whether it failed."""
        self.seconds.append(elapsed)
        header = response.headers.get("X-ITDesk-Queries")
        if header is not None:
            self.queries.append(int(header))
        if response.status_code != expected:
            self.errors += 1
            self.first_error = self.first_error or f"HTTP {response.status_code}: {response.text[:300]}"

    def row(self) -> list[str]:
        """One line of the result table."""
        ms = sorted(s * 1000 for s in self.seconds)
        p95 = ms[min(len(ms) - 1, math.ceil(0.95 * len(ms)) - 1)]
        rate = len(ms) / self.wall if self.wall else 0.0
        queries = f"{min(self.queries)}-{max(self.queries)}" if self.queries else "n/a"
        return [self.name, str(len(ms)), str(self.errors), f"{rate:,.1f}", f"{statistics.median(ms):.1f}",
                f"{p95:.1f}", f"{ms[-1]:.1f}", queries]  # fmt: skip


@dataclass
class Reply:
    """What the measurements read of a response (the attributes requests.Response has too)."""

    status_code: int
    headers: Any
    text: str

    def json(self) -> Any:
        return json.loads(self.text)


class LeanSession:
    """A requests.Session look-alike on one kept-alive http.client connection (reconnects when closed)."""

    def __init__(self, base: str) -> None:
        parts = urlsplit(base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.prefix = parts.path.rstrip("/")
        self.headers: dict[str, str] = {}
        self.connection: http.client.HTTPConnection | None = None

    def request(self, method: str, url: str, *, params: Any = None, json_body: Any = None,
                headers: dict[str, str] | None = None) -> Reply:  # fmt: skip
        path = self.prefix + urlsplit(url).path + (f"?{urlencode(params)}" if params else "")
        body = None if json_body is None else json.dumps(json_body).encode()
        sent = {**self.headers, **(headers or {})}
        if body is not None:
            sent["Content-Type"] = "application/json"
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
            try:
                self.connection.request(method, path, body=body, headers=sent)
                response = self.connection.getresponse()
                text = response.read().decode()
                break
            except (http.client.HTTPException, ConnectionError):
                self.connection.close()
                self.connection = None  # the server closed the kept-alive connection: once more
                if attempt == 2:
                    raise
        if response.will_close:
            self.connection.close()
            self.connection = None
        return Reply(response.status, response.headers, text)

    def get(self, url: str, params: Any = None) -> Reply:
        return self.request("GET", url, params=params)

    def post(self, url: str, json: Any = None, headers: dict[str, str] | None = None) -> Reply:
        return self.request("POST", url, json_body=json, headers=headers)


def login(base: str, username: str, password: str, client: str) -> Any:
    """A session (LeanSession or requests.Session) that sends the user's API token."""
    session: Any = LeanSession(base) if client == "http.client" else requests.Session()
    response = session.post(f"{base}/api/v1/auth/token/", json={"username": username, "password": password})
    if response.status_code != 200:
        sys.exit(f"cannot get a token for {username}: HTTP {response.status_code} {response.text[:300]}")
    session.headers["Authorization"] = f"Token {response.json()['token']}"
    session.headers["Accept"] = "application/json"
    return session


def measure(
    name: str,
    count: int,
    call: Callable[[int], Any],
    expected: int = 200,
    then: Callable[[Any], None] | None = None,
) -> Measurement:
    """Run `call` `count` times in a row and time each; `then(response)` runs after each, untimed."""
    result = Measurement(name)
    untimed = 0.0
    started = time.perf_counter()
    for index in range(count):
        before = time.perf_counter()
        response = call(index)
        after = time.perf_counter()
        result.record(response, after - before, expected)
        if then is not None:
            then(response)
            untimed += time.perf_counter() - after
    result.wall = time.perf_counter() - started - untimed
    return result


def detail_numbers(session: Any, base: str, numbers_file: str, rng: random.Random, pages: int) -> list[str]:
    """Request numbers to read: from a file (a uniform sample of the database), else from list pages."""
    if numbers_file:
        with open(numbers_file, encoding="utf-8") as handle:
            return [line.strip() for line in handle if line.strip()]
    print("no --numbers-file: detail numbers come from the newest tickets only (warmer than random ones)")
    first = session.get(f"{base}/api/v1/tickets/", params={"page_size": 200}).json()
    numbers = [t["number"] for t in first["results"]]
    last_page = max(1, math.ceil((first.get("count") or len(numbers)) / 200))
    for page in rng.sample(range(2, last_page + 1), min(pages, last_page - 1)):
        response = session.get(f"{base}/api/v1/tickets/", params={"page_size": 200, "page": page})
        if response.ok:
            numbers.extend(t["number"] for t in response.json()["results"])
    return numbers


def print_table(rows: list[list[str]]) -> None:
    """Print rows as an aligned text table."""
    header = ["request", "n", "errors", "req/s", "median ms", "p95 ms", "max ms", "queries min-max"]
    table = [header, *rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    for index, row in enumerate(table):
        cells = [row[0].ljust(widths[0])] + [
            cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)
        ]
        print("  ".join(cells))
        if index == 0:
            print("  ".join("-" * width for width in widths))


def main() -> None:
    """Measure create, list and detail, then print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--username", default="agent1", help="an agent (lists and details)")
    parser.add_argument("--password", required=True)
    parser.add_argument("--requester", default="alice", help="a requester (creates tickets)")
    parser.add_argument("--requester-password", help="default: the same as --password")
    parser.add_argument("--creates", type=int, default=500)
    parser.add_argument("--lists", type=int, default=200)
    parser.add_argument("--details", type=int, default=200)
    parser.add_argument(
        "--numbers-file",
        default="",
        help="request numbers to read, one per line (generate.py writes DATA_DIR/sample-numbers.txt)",
    )
    parser.add_argument(
        "--sample-pages",
        type=int,
        default=0,
        help="without --numbers-file: also read this many random 200-row pages (deep pages can be slow)",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--client", choices=["http.client", "requests"], default="http.client", help="the HTTP client library"
    )
    args = parser.parse_args()
    base = args.url.rstrip("/")
    rng = random.Random(args.seed)

    agent = login(base, args.username, args.password, args.client)
    requester = login(base, args.requester, args.requester_password or args.password, args.client)
    numbers = detail_numbers(agent, base, args.numbers_file, rng, args.sample_pages)
    print(f"{base}: detail numbers to pick from: {len(numbers):,}; client: {args.client}")
    list_url = f"{base}/api/v1/tickets/"
    open_page = {"queue": "open", "page_size": 25}
    for _ in range(5):  # warm-up: connections, caches, lazy imports in the workers
        agent.get(list_url, params=open_page)
        agent.get(f"{list_url}{rng.choice(numbers)}/")

    created: list[str] = []  # the numbers of the tickets created here, which have SLA clocks

    def create(index: int, headers: dict[str, str] | None = None) -> Any:
        title = f"{rng.choice(TITLES)} #{index}"
        body = {"title": title, "description": f"Benchmark request {index}: {title}.",
                "category": rng.choice(CATEGORIES), "impact": rng.choice([2, 3]), "urgency": rng.choice([1, 2, 3])}  # fmt: skip
        return requester.post(list_url, json=body, headers=headers)

    def keep_number(response: Any) -> None:
        if response.status_code == 201:
            created.append(response.json()["number"])

    def create_minimal(index: int) -> Any:
        return create(index, headers={"Prefer": "return=minimal"})

    results = [
        measure(f"POST /tickets/ (create, as {args.requester})", args.creates, create, 201, keep_number),
        measure("POST /tickets/ (Prefer: return=minimal)", args.creates, create_minimal, 201, keep_number),
        measure(
            "GET /tickets/?queue=open&page_size=25",
            args.lists,
            lambda _i: agent.get(list_url, params=open_page),
        ),
        measure(
            "GET /tickets/{number}/ (random)",
            args.details,
            lambda _i: agent.get(f"{list_url}{rng.choice(numbers)}/"),
        ),
    ]
    if created:
        # Generated tickets have no SLA clocks; the ones created above do, and their detail explains them.
        results.append(
            measure(
                "GET /tickets/{number}/ (created above)",
                args.details,
                lambda _i: agent.get(f"{list_url}{rng.choice(created)}/"),
            )
        )
    open_count = agent.get(list_url, params=open_page).json().get("count")
    print(f"open queue: {open_count if open_count is not None else '?'} tickets\n")
    print_table([r.row() for r in results])
    for r in results:
        if r.errors:
            print(f"\n{r.name}: {r.errors} errors; first: {r.first_error}")
    if not any(r.queries for r in results):
        print("\n(no X-ITDesk-Queries header: start the server with ITDESK_QUERY_COUNT_HEADER=1)")


if __name__ == "__main__":
    main()
