"""Where one key page's time goes: each SQL statement's time and text, and the rest.

    python -m tests.perf.profile_page BACKEND FAMILIES "PAGE NAME" [--explain] [--cprofile]
        [--tottime]   (cProfile's table by each function's own time)

Uses the databases `make bench` made; not collected by pytest.
"""

from __future__ import annotations

import cProfile
import pstats
import sys
import time
from typing import Any

from flask import url_for
from sqlalchemy import event

from caseapp.extensions import db
from tests.perf.bench import (
    PAGES,
    build_app,
    database_url,
    people_and_ids,
    request_headers,
    signed_in,
)


def main() -> None:
    backend, families, name = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    page = next(p for p in PAGES if p.name == name)
    app = build_app(database_url(backend, families))
    emails, ids = people_and_ids(app)
    client = signed_in(app, emails.get(page.who))
    with app.test_request_context():
        url = url_for(page.endpoint, **page.args(ids))
    headers = request_headers(page)

    def fetch() -> Any:
        if page.posted is None:
            return client.get(url, headers=headers)
        return client.post(url, data=page.posted(ids), headers=headers)

    for _ in range(5):
        fetch()
    with app.app_context():
        engine = db.engine
    statements: list[list[Any]] = []

    def before(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        statements.append([time.perf_counter(), statement, params])

    def after(*_: Any) -> None:
        statements[-1][0] = time.perf_counter() - statements[-1][0]

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    started = time.perf_counter()
    response = fetch()
    total = time.perf_counter() - started
    event.remove(engine, "before_cursor_execute", before)
    event.remove(engine, "after_cursor_execute", after)
    sql = sum(s[0] for s in statements)
    print(
        f"{name} on {backend} N={families}: HTTP {response.status_code}, "
        f"{total * 1000:.1f} ms, SQL {sql * 1000:.1f} ms in {len(statements)} statements"
    )
    for elapsed, statement, params in statements:
        print(f"\n--- {elapsed * 1000:.2f} ms\n{statement}\n{params}")
        if "--explain" in sys.argv and statement.lstrip().upper().startswith("SELECT"):
            with app.app_context():
                raw = db.engine.raw_connection()
                try:
                    cursor = raw.cursor()
                    prefix = "EXPLAIN QUERY PLAN " if backend == "sqlite" else "EXPLAIN ANALYZE "
                    cursor.execute(prefix + statement, params)
                    for row in cursor.fetchall():
                        print("   ", row if backend == "sqlite" else row[0])
                finally:
                    raw.close()
    if "--cprofile" in sys.argv:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(20):
            fetch()
        profiler.disable()
        order = "tottime" if "--tottime" in sys.argv else "cumulative"
        pstats.Stats(profiler).sort_stats(order).print_stats(40)


if __name__ == "__main__":
    main()
