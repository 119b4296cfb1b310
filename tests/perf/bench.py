"""The benchmark behind `make bench`: key pages at two sizes, on SQLite and PostgreSQL.

For each backend and size it makes (or reuses) a database filled by `bench-data`. Then,
for each backend, it requests every key page and partial at both sizes in turn, for 50
rounds, in-process through the real app, as the person who would open it. It records
the server time (median and 95th percentile), the SQL statements per request and the
response bytes. A bare route that renders the base layout with no database work gives
the framework floor. It prints a table, checks the figures issue #7 asks for, and writes
everything as JSON to instance/bench/results.json.

Not collected by pytest (no test_ prefix). Settings, all optional:
  BENCH_SIZES=1000,100000   family counts (the first is the small one)
  BENCH_BACKENDS=sqlite,postgresql
  BENCH_REQUESTS=50
  BENCH_POSTGRES=postgresql://postgres@127.0.0.1:5432   server for the bench_<N> databases
  BENCH_FRESH=1             regenerate the databases even if they exist
  BENCH_PAGES="Hub queue"   only the pages whose names contain one of these (comma-separated)
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from flask import Flask, render_template, url_for
from flask.testing import FlaskClient
from sqlalchemy import event, func, select
from werkzeug.routing import BuildError

from caseapp import create_app
from caseapp.extensions import db
from caseapp.models import Episode, Family, TimelineEvent, User
from caseapp.models.types import utcnow
from caseapp.services.bench_data import BENCH_PASSWORD, LONG_TIMELINE_FAMILY_ID, generate
from caseapp.services.family_view import TIMELINE_PAGE_SIZE, TimelineCursor
from caseapp.web.access import public

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "instance" / "bench"
FLOOR = "framework floor"
FLOOR_REQUESTS_FACTOR = 10
# Rounds before measuring: they warm caches, pools and PostgreSQL's prepared plans.
WARMUP_ROUNDS = 5
LIMITS = {"statements": 15, "size_ratio": 1.5, "floor_ratio": 15, "partial_share": 0.25}


@dataclass(frozen=True)
class Page:
    name: str
    who: str  # "anyone", "lead", "coordinator" or "manager"
    endpoint: str
    args: Callable[[Ids], dict[str, Any]] = lambda ids: {}
    htmx: bool = False
    # The element an htmx request names in HX-Target, as the page's own htmx would.
    target: str | None = None
    # Posted form fields (a search is posted, so names stay out of addresses).
    posted: Callable[[Ids], dict[str, str]] | None = None
    # The full page an htmx partial updates, by name, for the bytes check.
    partial_of: str | None = None
    export: bool = False


@dataclass(frozen=True)
class Ids:
    family_id: int
    cursor: str
    surname: str


PAGES: tuple[Page, ...] = (
    Page(FLOOR, "anyone", "bench_floor"),
    Page("sign-in page", "anyone", "auth.sign_in"),
    Page("lead worker caseload", "lead", "home.caseload"),
    Page(
        "family page (3,000 events)",
        "lead",
        "families.show",
        lambda ids: {"family_id": ids.family_id},
    ),
    Page(
        "timeline show-more partial",
        "lead",
        "families.timeline",
        lambda ids: {"family_id": ids.family_id, "before": ids.cursor},
        htmx=True,
        partial_of="family page (3,000 events)",
    ),
    Page("Hub queue, first page", "coordinator", "hub.queue"),
    Page(
        "Hub queue, filtered (partial)",
        "coordinator",
        "hub.queue",
        lambda ids: {"urgent": "y", "age": "0-4"},
        htmx=True,
        target="queue-results",
        partial_of="Hub queue, first page",
    ),
    Page("manager review queue", "manager", "reviews.queue"),
    Page("manager's view", "manager", "home.manager"),
    Page(
        "family search (htmx)",
        "lead",
        "families.search",
        htmx=True,
        target="search-results",
        posted=lambda ids: {"name": ids.surname[:4]},
    ),
    Page(
        "chronology CSV export",
        "lead",
        "chronology.export_csv",
        lambda ids: {"family_id": ids.family_id},
        export=True,
    ),
)


@dataclass
class Figures:
    page: str
    backend: str
    families: int
    status: int
    median_ms: float
    p95_ms: float
    statements: int
    statements_varied: bool
    bytes: int
    note: str = ""


@dataclass
class Run:
    machine: str
    requests: int
    figures: list[Figures] = field(default_factory=list)
    # Each backend's floor: the median of every floor request at both sizes, since the
    # bare route does the same work whatever the database holds.
    floors: dict[str, float] = field(default_factory=dict)
    checks: list[tuple[str, bool, str]] = field(default_factory=list)


def database_url(backend: str, families: int) -> str:
    if backend == "sqlite":
        OUT.mkdir(parents=True, exist_ok=True)
        path = OUT / f"bench-{families}.db"
        if os.environ.get("BENCH_FRESH"):
            # Dropping a large database's tables takes far longer than starting afresh.
            for leftover in (
                path,
                path.with_name(path.name + "-wal"),
                path.with_name(path.name + "-shm"),
            ):
                leftover.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    server = os.environ.get("BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432")
    name = f"caseapp_bench_{families}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        if exists and os.environ.get("BENCH_FRESH"):
            connection.execute(f'DROP DATABASE "{name}"')
            exists = None
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')
    return f"{server}/{name}"


def build_app(url: str) -> Flask:
    os.environ["DATABASE_URL"] = url
    app = create_app()
    app.config.update(WTF_CSRF_ENABLED=False, RATELIMIT_ENABLED=False)

    @app.route("/bench-floor")
    @public
    def bench_floor() -> str:
        return render_template("base.html")

    return app


def ensure_data(app: Flask, families: int) -> None:
    from flask_migrate import upgrade

    with app.app_context():
        upgrade(directory=str(ROOT / "caseapp" / "migrations"))
        held = db.session.scalar(select(func.count()).select_from(Family))
        if held == families:
            return
        if held:
            raise SystemExit(f"{app.config['SQLALCHEMY_DATABASE_URI']} holds {held} families")
        started = time.monotonic()
        print(f"  generating {families:,} families ...", flush=True)
        generate(families, app.extensions["caseapp.framework"], utcnow())
        print(f"  generated in {time.monotonic() - started:.0f} s", flush=True)


def people_and_ids(app: Flask) -> tuple[dict[str, str], Ids]:
    with app.app_context():
        episode = db.session.scalar(
            select(Episode).where(
                Episode.family_id == LONG_TIMELINE_FAMILY_ID, Episode.closed_at.is_(None)
            )
        )
        lead = db.session.get(User, episode.lead_worker_id)
        manager = db.session.scalar(
            select(User).where(User.team_id == episode.team_id, User.email.like("manager%"))
        )
        coordinator = db.session.scalar(select(User).where(User.email.like("hub%")).limit(1))
        newest = db.session.execute(
            select(TimelineEvent.occurred_at, TimelineEvent.id)
            .where(TimelineEvent.family_id == LONG_TIMELINE_FAMILY_ID)
            .order_by(TimelineEvent.occurred_at.desc(), TimelineEvent.id.desc())
            .offset(TIMELINE_PAGE_SIZE - 1)
            .limit(1)
        ).one()
        family = db.session.get(Family, LONG_TIMELINE_FAMILY_ID)
        emails = {"lead": lead.email, "manager": manager.email, "coordinator": coordinator.email}
        cursor = TimelineCursor(newest.occurred_at, newest.id).encode()
        return emails, Ids(LONG_TIMELINE_FAMILY_ID, cursor, family.name.split()[0])


def signed_in(app: Flask, email: str | None) -> FlaskClient:
    client = app.test_client()
    if email is not None:
        response = client.post("/sign-in", data={"email": email, "password": BENCH_PASSWORD})
        assert response.status_code == 302, f"could not sign in as {email}"
    return client


def request_headers(page: Page) -> dict[str, str]:
    headers = {"HX-Request": "true"} if page.htmx else {}
    if page.target:
        headers["HX-Target"] = page.target
    return headers


@dataclass
class Site:
    """One database, at one size on one backend, with its signed-in people ready."""

    backend: str
    families: int
    app: Flask
    clients: dict[str, FlaskClient]
    ids: Ids
    urls: dict[str, str]  # by page name; a page whose route is not built yet is absent
    counted: list[int]  # statements sent since the counter was last reset


@dataclass
class Samples:
    timings: list[float] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)
    status: int = 0
    size: int = 0


def open_site(backend: str, families: int) -> Site:
    app = build_app(database_url(backend, families))
    ensure_data(app, families)
    emails, ids = people_and_ids(app)
    clients = {"anyone": signed_in(app, None)}
    for who, email in emails.items():
        clients[who] = signed_in(app, email)
    urls = {}
    with app.test_request_context():
        for page in chosen_pages():
            try:
                urls[page.name] = url_for(page.endpoint, **page.args(ids))
            except BuildError:
                continue
    counted = [0]

    def count(*_: Any) -> None:
        counted[0] += 1

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", count)
    return Site(backend, families, app, clients, ids, urls, counted)


def close_site(site: Site) -> None:
    with site.app.app_context():
        db.engine.dispose()


def request_once(site: Site, page: Page) -> tuple[float, int, int, int]:
    """Milliseconds, statements, status and bytes of one request for `page`."""
    client, url, headers = site.clients[page.who], site.urls[page.name], request_headers(page)
    site.counted[0] = 0
    started = time.perf_counter()
    if page.posted is None:
        response = client.get(url, headers=headers)
    else:
        response = client.post(url, data=page.posted(site.ids), headers=headers)
    body = response.get_data()
    elapsed = time.perf_counter() - started
    return elapsed * 1000, site.counted[0], response.status_code, len(body)


def measure(sites: list[Site], requests: int) -> tuple[list[Figures], float]:
    """Every page of every site, one request each in turn, round after round.

    Taking turns makes the ratios fair on a shared machine: a slow spell lands on every
    page and on both sizes alike, where measuring one page after another would charge it
    all to whichever page was running at the time. Exports take their turns after the
    pages: the garbage one leaves behind (thousands of events) would otherwise be
    collected in, and charged to, whichever page came next."""
    samples = {(site.families, page.name): Samples() for site in sites for page in chosen_pages()}
    pages = [page for page in chosen_pages() if not page.export]
    exports = [page for page in chosen_pages() if page.export]
    for group in (pages, exports):
        for round_number in range(WARMUP_ROUNDS + requests):
            for site in sites:
                for page in group:
                    if page.name not in site.urls:
                        continue
                    # At under a millisecond a request, the floor's median would be at the
                    # mercy of a single collection: it takes ten turns a round.
                    turns = FLOOR_REQUESTS_FACTOR if page.name == FLOOR else 1
                    kept = samples[(site.families, page.name)]
                    for _ in range(turns):
                        elapsed, statements, kept.status, kept.size = request_once(site, page)
                        if round_number >= WARMUP_ROUNDS:
                            kept.timings.append(elapsed)
                            kept.counts.append(statements)
    figures = [
        figures_of(site, page, samples[(site.families, page.name)])
        for site in sites
        for page in chosen_pages()
    ]
    floor = statistics.median(
        timing for site in sites for timing in samples[(site.families, FLOOR)].timings
    )
    return figures, round(floor, 2)


def figures_of(site: Site, page: Page, kept: Samples) -> Figures:
    if not kept.timings:
        missing = "not built yet"
        return Figures(page.name, site.backend, site.families, 0, 0, 0, 0, False, 0, missing)
    timings = sorted(kept.timings)
    return Figures(
        page=page.name,
        backend=site.backend,
        families=site.families,
        status=kept.status,
        median_ms=round(statistics.median(timings), 2),
        p95_ms=round(timings[int(len(timings) * 0.95) - 1], 2),
        statements=max(set(kept.counts), key=kept.counts.count),
        statements_varied=len(set(kept.counts)) > 1,
        bytes=kept.size,
    )


def bench_backend(backend: str, sizes: list[int], requests: int) -> tuple[list[Figures], float]:
    sites = [open_site(backend, families) for families in sizes]
    try:
        results, floor = measure(sites, requests)
    finally:
        for site in sites:
            close_site(site)
    for figures in results:
        print(
            f"  {backend:<10} {figures.families:>7,} {figures.page:<32} "
            f"{figures.median_ms:>8.2f} ms p95 {figures.p95_ms:>8.2f}  "
            f"{figures.statements:>3} statements  {figures.bytes:>9,} bytes  "
            f"HTTP {figures.status}",
            flush=True,
        )
    print(f"  {backend:<10} floor at both sizes: {floor:.2f} ms", flush=True)
    return results, floor


def chosen_pages() -> tuple[Page, ...]:
    wanted = [part.strip() for part in os.environ.get("BENCH_PAGES", "").split(",") if part]
    if not wanted:
        return PAGES
    return tuple(p for p in PAGES if p.name == FLOOR or any(w in p.name for w in wanted))


def check(run: Run, small: int, large: int) -> None:
    by_key = {(f.backend, f.families, f.page): f for f in run.figures}
    for backend in sorted({f.backend for f in run.figures}):
        floor = run.floors.get(backend)
        for page in chosen_pages():
            if page.name == FLOOR:
                continue
            low, high = (
                by_key.get((backend, small, page.name)),
                by_key.get((backend, large, page.name)),
            )
            if low is None or high is None or high.note or low.note:
                run.checks.append((f"{backend}: {page.name}", False, "not measured"))
                continue
            label = f"{backend}: {page.name}"
            same = low.statements == high.statements and high.statements <= LIMITS["statements"]
            run.checks.append(
                (
                    f"{label}: statements {low.statements} -> {high.statements} (<= 15, equal)",
                    same,
                    "",
                )
            )
            ratio = high.median_ms / low.median_ms if low.median_ms else float("inf")
            if not page.export:
                run.checks.append(
                    (
                        f"{label}: median x{ratio:.2f} from N={small:,} to N={large:,} (<= 1.5)",
                        ratio <= LIMITS["size_ratio"],
                        "",
                    )
                )
            if floor is not None and not page.export:
                over_floor = high.median_ms / floor
                run.checks.append(
                    (
                        f"{label}: {over_floor:.1f} x the floor (<= 15)",
                        over_floor <= LIMITS["floor_ratio"],
                        "",
                    )
                )
            if page.partial_of:
                full = by_key.get((backend, large, page.partial_of))
                if full is not None and full.bytes:
                    share = high.bytes / full.bytes
                    run.checks.append(
                        (
                            f"{label}: {share:.0%} of the full page's bytes (<= 25%)",
                            share <= LIMITS["partial_share"],
                            "",
                        )
                    )


def machine() -> str:
    cpus = os.cpu_count()
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB"
    python = platform.python_version()
    return f"{platform.system()} {platform.machine()}, {cpus} cores{memory}, Python {python}"


def main() -> int:
    sizes = [int(size) for size in os.environ.get("BENCH_SIZES", "1000,100000").split(",")]
    backends = os.environ.get("BENCH_BACKENDS", "sqlite,postgresql").split(",")
    requests = int(os.environ.get("BENCH_REQUESTS", "50"))
    run = Run(machine=machine(), requests=requests)
    print(f"Benchmark on {run.machine}: {requests} requests per page")
    for backend in backends:
        figures, run.floors[backend] = bench_backend(backend, sizes, requests)
        run.figures.extend(figures)
    check(run, min(sizes), max(sizes))
    print()
    header = ("backend", "families", "page", "median ms", "p95 ms", "SQL", "bytes")
    print(
        f"{header[0]:<11}{header[1]:>9}  {header[2]:<32}" + "".join(f"{h:>10}" for h in header[3:])
    )
    for f in run.figures:
        print(
            f"{f.backend:<11}{f.families:>9,}  {f.page:<32}{f.median_ms:>10.2f}{f.p95_ms:>9.2f}"
            f"{f.statements:>5}{f.bytes:>10,}{'  ' + f.note if f.note else ''}"
        )
    print()
    failed = [name for name, ok, _ in run.checks if not ok]
    for name, ok, note in run.checks:
        print(f"{'PASS' if ok else 'FAIL'}  {name}{'  (' + note + ')' if note else ''}")
    OUT.mkdir(parents=True, exist_ok=True)
    result = {
        "machine": run.machine,
        "requests": requests,
        "floors_ms": run.floors,
        "figures": [asdict(f) for f in run.figures],
        "checks": [{"check": name, "passed": ok, "note": note} for name, ok, note in run.checks],
    }
    (OUT / "results.json").write_text(json.dumps(result, indent=2))
    passed = len(run.checks) - len(failed)
    print(f"\n{passed} of {len(run.checks)} checks pass; figures in {OUT / 'results.json'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
