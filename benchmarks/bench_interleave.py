"""Compare two running servers on the same requests, interleaved in small batches.

Run with::

    python benchmarks/bench_interleave.py --a http://127.0.0.1:8802 --b http://127.0.0.1:8801 \\
        --password PW --numbers-file DATA_DIR/sample-numbers.txt [--kind whole|minimal|detail]

On a machine whose speed drifts from one minute to the next, two bench_api.py runs one after the other
compare the stretches as much as the servers. Here one serial client sends a batch of requests to one
server, then the same batch to the other (the order alternating from round to round), so both see the
same stretches. Typical use: the previous commit's server on one port (`git worktree add`) and this
one's on another, on the same database.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_api import login  # noqa: E402 - the same kept-alive client as bench_api.py


def main() -> None:
    """Interleave the batches, then print each server's rate, median and 95th percentile."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--a", required=True, help="one server's URL")
    parser.add_argument("--b", required=True, help="the other server's URL")
    parser.add_argument("--kind", choices=["whole", "minimal", "detail"], default="whole",
                        help="create with the whole ticket in the answer, with Prefer: return=minimal, or read")  # fmt: skip
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--username", default="agent1", help="an agent (details)")
    parser.add_argument("--requester", default="alice", help="a requester (creates)")
    parser.add_argument("--password", required=True, help="both accounts' password")
    parser.add_argument(
        "--numbers-file", default="", help="request numbers to read (needed for --kind detail)"
    )
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if args.kind == "detail" and not args.numbers_file:
        parser.error("--kind detail needs --numbers-file")
    numbers = Path(args.numbers_file).read_text().split() if args.numbers_file else []
    rng = random.Random(args.seed)
    servers = [args.a.rstrip("/"), args.b.rstrip("/")]
    who = args.username if args.kind == "detail" else args.requester
    sessions = {base: login(base, who, args.password, "http.client") for base in servers}

    def one(base: str, index: int) -> Any:
        if args.kind == "detail":
            return sessions[base].get(f"{base}/api/v1/tickets/{rng.choice(numbers)}/")
        body = {"title": f"VPN 连接失败 #{index}", "description": "Interleaved benchmark request.",
                "category": "network-vpn"}  # fmt: skip
        headers = {"Prefer": "return=minimal"} if args.kind == "minimal" else None
        return sessions[base].post(f"{base}/api/v1/tickets/", json=body, headers=headers)

    expected = 200 if args.kind == "detail" else 201
    for base in servers:  # warm-up: connections, caches, lazy imports
        for index in range(20):
            one(base, index)
    seconds: dict[str, list[float]] = {base: [] for base in servers}
    wall = dict.fromkeys(servers, 0.0)
    for round_ in range(args.rounds):
        for base in servers if round_ % 2 == 0 else servers[::-1]:
            started = time.perf_counter()
            for index in range(args.batch):
                before = time.perf_counter()
                response = one(base, index)
                seconds[base].append(time.perf_counter() - before)
                if response.status_code != expected:
                    sys.exit(f"{base}: HTTP {response.status_code}: {response.text[:300]}")
            wall[base] += time.perf_counter() - started
    print(f"{args.kind}, {args.rounds} rounds of {args.batch} requests per server, interleaved")
    for base in servers:
        ms = sorted(s * 1000 for s in seconds[base])
        p95 = ms[min(len(ms) - 1, int(0.95 * len(ms)))]
        print(
            f"{base}: {len(ms) / wall[base]:.1f} req/s, median {statistics.median(ms):.2f} ms, p95 {p95:.2f} ms"
        )


if __name__ == "__main__":
    main()
