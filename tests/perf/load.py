"""The load test behind `make load`: gunicorn on PostgreSQL with the N = 100,000 data,
driven by Locust headless on 127.0.0.1 for 5 minutes with 50 concurrent staff.

It reuses (or makes) the benchmark's PostgreSQL database, starts gunicorn with workers
sized for the machine's cores, runs tests/perf/locustfile.py, stops everything, prints
throughput, p50/p95/p99 and errors per journey, and fails if there was any error or 5xx.

Settings, all optional: LOAD_FAMILIES (100000), LOAD_USERS (50), LOAD_TIME (5m),
LOAD_PORT (5055), LOAD_LOCUST (the locust executable; `make load` installs it in its
own virtualenv, .venv-load, so its dependencies never touch the app's).
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from sqlalchemy import func, select

from caseapp.extensions import db
from caseapp.models import Episode, User, UserRole
from caseapp.services.bench_data import BENCH_DOMAIN, BENCH_PASSWORD
from tests.perf.bench import OUT, ROOT, build_app, database_url, ensure_data


def people(app_url: str, families: int) -> dict[str, list[str]]:
    """Sign-ins per role: lead workers who hold families, coordinators, managers."""
    app = build_app(app_url)
    ensure_data(app, families)
    with app.app_context():
        holders = db.session.scalars(
            select(User.email)
            .join(Episode, Episode.lead_worker_id == User.id)
            .where(Episode.closed_at.is_(None))
            .group_by(User.email)
            .having(func.count() >= 5)
            .order_by(User.email)
            .limit(60)
        ).all()
        by_role: dict[str, list[str]] = {"lead_worker": list(holders)}
        for role in ("hub_coordinator", "manager"):
            by_role[role] = list(
                db.session.scalars(
                    select(User.email)
                    .join(UserRole, UserRole.user_id == User.id)
                    .where(UserRole.role == role, User.email.like(f"%@{BENCH_DOMAIN}"))
                    .order_by(User.id)
                    .limit(30)
                )
            )
        db.engine.dispose()
    return by_role


def wait_until_up(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer at {url}")


def main() -> int:
    families = int(os.environ.get("LOAD_FAMILIES", "100000"))
    users = os.environ.get("LOAD_USERS", "50")
    run_time = os.environ.get("LOAD_TIME", "5m")
    port = os.environ.get("LOAD_PORT", "5055")
    locust = os.environ.get("LOAD_LOCUST", str(ROOT / ".venv-load" / "bin" / "locust"))
    app_url = database_url("postgresql", families)
    OUT.mkdir(parents=True, exist_ok=True)
    people_file = OUT / "load-people.json"
    people_file.write_text(json.dumps(people(app_url, families)))
    workers = 2 * (os.cpu_count() or 1) + 1
    environment = {
        **os.environ,
        "DATABASE_URL": app_url,
        "CASEAPP_ENV": "development",
        # Every Locust user signs in from 127.0.0.1: the per-address throttle is for the
        # internet, not for fifty colleagues behind one address in a test.
        "CASEAPP_SIGN_IN_LIMIT_PER_ADDRESS": "10000 per minute",
        "SECRET_KEY": "load-test-only",
    }
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "-" if os.environ.get("LOAD_ACCESS_LOG") else "/dev/null",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=environment,
    )
    host = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{host}/health")
        print(f"gunicorn: {workers} workers on {host}; Locust: {users} users for {run_time}")
        subprocess.run(
            [
                locust,
                "-f",
                str(ROOT / "tests" / "perf" / "locustfile.py"),
                "--headless",
                "--users",
                users,
                "--spawn-rate",
                "10",
                "--run-time",
                run_time,
                "--host",
                host,
                "--csv",
                str(OUT / "load"),
                "--only-summary",
            ],
            env={**environment, "LOAD_PEOPLE": str(people_file), "LOAD_PASSWORD": BENCH_PASSWORD},
            check=False,
        )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    return report(OUT / "load_stats.csv", OUT / "load_failures.csv")


def report(stats_file: Path, failures_file: Path) -> int:
    rows = list(csv.DictReader(stats_file.open()))
    print(f"\n{'journey':<34}{'requests':>9}{'fails':>7}{'req/s':>8}{'p50':>7}{'p95':>7}{'p99':>7}")
    total_failures = 0
    for row in rows:
        failures = int(row["Failure Count"])
        if row["Name"] == "Aggregated":
            total_failures = failures
        print(
            f"{row['Name']:<34}{row['Request Count']:>9}{failures:>7}"
            f"{float(row['Requests/s']):>8.1f}{row['50%']:>7}{row['95%']:>7}{row['99%']:>7}"
        )
    failures = list(csv.DictReader(failures_file.open())) if failures_file.exists() else []
    for failure in failures:
        where = f"{failure['Method']} {failure['Name']}"
        print(f"FAILURE {where}: {failure['Error']} x{failure['Occurrences']}")
    verdict = "PASS" if total_failures == 0 else "FAIL"
    print(f"\n{verdict}: {total_failures} errors (times in ms)")
    return 0 if total_failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
