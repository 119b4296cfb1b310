"""`flask --app caseapp bench-data`: a council-sized database for the benchmark."""

from __future__ import annotations

import time

import click
from flask import Flask, current_app

from caseapp.models.types import utcnow
from caseapp.services.bench_data import BENCH_PASSWORD, BenchDataRefused, generate


def register_bench_cli(app: Flask) -> None:
    @app.cli.command("bench-data")
    @click.option("--families", type=click.IntRange(min=10), default=1_000, show_default=True)
    def bench_data_command(families: int) -> None:
        """Fill an empty, migrated database with FAMILIES fictional families and their
        episodes, staff, chronology, plans and meetings, for measuring only."""
        started = time.monotonic()
        with click.progressbar(length=families, label="Families") as bar:
            try:
                written = generate(
                    families,
                    current_app.extensions["caseapp.framework"],
                    utcnow(),
                    progress=bar.update,
                )
            except BenchDataRefused as refused:
                raise click.ClickException(
                    f"Not generated: {refused}. Use an empty database (run `flask db upgrade` "
                    "on a new one)."
                ) from refused
        for table, rows in sorted(written.items()):
            click.echo(f"  {table:<32} {rows:>12,}")
        click.echo(
            f"Done in {time.monotonic() - started:.0f} s. Bench users' password: {BENCH_PASSWORD}"
        )
