"""Throughput benchmark of the SLA engine: due-date computations per second.

Run with ``python benchmarks/bench_sla_engine.py [--n 200000] [--repeat 3] [--seed 2026]``.

The calendar is a realistic mainland-China service desk: Asia/Shanghai, 09:00-12:00 and
13:30-18:00 Monday to Friday, with the official 2026 public holidays and make-up workdays
(State Council schedule, hard-coded below).  Starts are random instants across 2026,
targets random between 5 minutes and 3 working days, and a share of the calls carry pauses.
"""

from __future__ import annotations

import argparse
import random
import sys
import time as clock
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

try:
    from itdesk.sla.engine import BusinessCalendar, add_business_time
except ImportError:  # running from a checkout without an installed package
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from itdesk.sla.engine import BusinessCalendar, add_business_time


def _span(first: str, last: str) -> list[date]:
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


# Official 2026 schedule of mainland China.
HOLIDAYS_2026 = [
    *_span("2026-01-01", "2026-01-03"),  # New Year's Day
    *_span("2026-02-15", "2026-02-23"),  # Spring Festival
    *_span("2026-04-04", "2026-04-06"),  # Tomb-sweeping Day
    *_span("2026-05-01", "2026-05-05"),  # Labour Day
    *_span("2026-06-19", "2026-06-21"),  # Dragon Boat Festival
    *_span("2026-09-25", "2026-09-27"),  # Mid-autumn Festival
    *_span("2026-10-01", "2026-10-07"),  # National Day
]
MAKEUP_WORKDAYS_2026 = [
    date(2026, 1, 4),
    date(2026, 2, 14),
    date(2026, 2, 28),
    date(2026, 5, 9),
    date(2026, 9, 20),
    date(2026, 10, 10),
]


def build_calendar() -> BusinessCalendar:
    day = [(time(9), time(12)), (time(13, 30), time(18))]
    week = {name: day for name in ("mon", "tue", "wed", "thu", "fri")}
    return BusinessCalendar("Asia/Shanghai", week, HOLIDAYS_2026, MAKEUP_WORKDAYS_2026)


Case = tuple[datetime, timedelta, list[tuple[datetime, datetime]]]


def build_cases(calendar: BusinessCalendar, n: int, seed: int, pause_share: float) -> list[Case]:
    rng = random.Random(seed)
    zone = ZoneInfo("Asia/Shanghai")
    year_start = datetime(2026, 1, 1, tzinfo=zone)
    seconds_in_year = 365 * 86_400
    max_target = int(calendar.working_day.total_seconds() // 60) * 3  # 3 working days, in minutes
    cases: list[Case] = []
    for _ in range(n):
        start = year_start + timedelta(seconds=rng.randrange(seconds_in_year))
        target = timedelta(minutes=rng.randint(5, max_target))
        pauses: list[tuple[datetime, datetime]] = []
        if rng.random() < pause_share:
            cursor = start
            for _ in range(rng.randint(1, 2)):
                begin = cursor + timedelta(minutes=rng.randint(0, 24 * 60))
                end = begin + timedelta(minutes=rng.randint(5, 48 * 60))
                pauses.append((begin, end))
                cursor = end
        cases.append((start, target, pauses))
    return cases


def run(calendar: BusinessCalendar, cases: list[Case]) -> float:
    began = clock.perf_counter()
    for start, target, pauses in cases:
        add_business_time(calendar, start, target, pauses)
    return clock.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=200_000, help="computations per run")
    parser.add_argument("--repeat", type=int, default=3, help="runs; the best one is reported")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--pause-share", type=float, default=0.2, help="share of calls with pauses")
    args = parser.parse_args()

    calendar = build_calendar()
    cases = build_cases(calendar, args.n, args.seed, args.pause_share)
    plain: list[Case] = [(start, target, []) for start, target, _ in cases]
    print(f"python {sys.version.split()[0]}, {args.n} computations per run, best of {args.repeat}")
    run(calendar, cases[:1000])  # warm the per-year caches (built once per calendar and year)
    for label, batch in (
        (f"mixed ({args.pause_share:.0%} with pauses)", cases),
        ("no pauses", plain),
    ):
        best = min(run(calendar, batch) for _ in range(args.repeat))
        rate = len(batch) / best
        print(f"{label:>28}: {rate:>10,.0f} computations/s ({best * 1e6 / len(batch):.2f} us each)")

    cold = build_calendar()
    began = clock.perf_counter()
    add_business_time(cold, datetime(2026, 6, 1, 10, tzinfo=ZoneInfo("Asia/Shanghai")), timedelta(hours=1))
    print(f"{'first call (cold calendar)':>28}: {(clock.perf_counter() - began) * 1e3:.1f} ms")


if __name__ == "__main__":
    main()
