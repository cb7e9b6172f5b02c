"""benchmarks/generate.py still fills a database: a model that gains a column must not break it unnoticed.

The generator runs as people run it (a separate process, its own data directory, SQLite) on a few hundred
tickets; the rows are then read back with sqlite3, outside Django.
"""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_generator_fills_a_fresh_database(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    args = ["--tickets", "400", "--years", "0.2", "--requesters", "15", "--agents", "6", "--batch", "150"]
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "generate.py"), *args, "--data-dir", str(tmp_path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "inserted 400 tickets" in done.stdout

    db = sqlite3.connect(tmp_path / "itdesk.sqlite3")
    numbers = [row[0] for row in db.execute("SELECT number FROM tickets_ticket")]
    assert len(numbers) == 400
    assert len(set(numbers)) == 400
    # Every ticket has its "created" event; the day counters end where the numbers end, so a ticket
    # registered afterwards gets a fresh number.
    created = db.execute("SELECT COUNT(DISTINCT ticket_id) FROM tickets_ticketevent WHERE kind = 'created'")
    assert created.fetchone()[0] == 400
    assert db.execute("SELECT SUM(value) FROM core_counter WHERE key LIKE 'ticket:%'").fetchone()[0] == 400
    # Some tickets are still being worked, most are done.
    statuses = dict(db.execute("SELECT status, COUNT(*) FROM tickets_ticket GROUP BY status").fetchall())
    assert statuses.get("closed", 0) > 100
    assert sum(statuses.values()) - statuses.get("closed", 0) - statuses.get("cancelled", 0) > 0
    sample = (tmp_path / "sample-numbers.txt").read_text(encoding="utf-8").split()
    assert sample and set(sample) <= set(numbers)
