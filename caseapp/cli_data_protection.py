"""Data protection commands: `flask --app caseapp retention|backup|restore`."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click
from flask import Flask, current_app

from caseapp.services.data_protection import (
    BackupError,
    backup_database,
    delete_family_under_retention,
    families_past_retention,
    restore_database,
)
from caseapp.services.drafts import DRAFT_RETENTION_DAYS, count_old_drafts, delete_old_drafts


def _drafts_retention(dry_run: bool) -> None:
    """Unsaved drafts are kept for days, not years: see services/drafts.py."""
    now = datetime.now(UTC)
    count = count_old_drafts(now) if dry_run else delete_old_drafts(now)
    click.echo(
        f"{'Would delete' if dry_run else 'Deleted'} {count} draft(s) older than "
        f"{DRAFT_RETENTION_DAYS} days or belonging to disabled accounts."
    )


def register_data_protection_cli(app: Flask) -> None:
    @app.cli.command("retention")
    @click.option("--dry-run", is_flag=True, help="List what is past retention; change nothing.")
    @click.option(
        "--years",
        type=click.IntRange(min=1),
        default=None,
        help="Years after the last episode closed (default CASEAPP_RETENTION_YEARS, or 6).",
    )
    def retention_command(dry_run: bool, years: int | None) -> None:
        """Delete family records whose every episode closed more than N years ago."""
        years = years if years is not None else current_app.config["CASEAPP_RETENTION_YEARS"]
        _drafts_retention(dry_run)
        candidates = families_past_retention(datetime.now(UTC), years)
        if not candidates:
            click.echo(f"No family records are past the retention period of {years} years.")
            return
        verb = "Would delete" if dry_run else "Deleting"
        click.echo(
            f"{verb} {len(candidates)} family record(s) past the retention period of {years} years:"
        )
        for candidate in candidates:
            click.echo(
                f"  {candidate.reference}  last closed {candidate.closed_at.date().isoformat()}"
                f"  {candidate.members} member(s)  {candidate.timeline_events} timeline event(s)"
                f"  {candidate.audit_events} audit event(s)"
            )
            if not dry_run:
                delete_family_under_retention(candidate)
        if dry_run:
            click.echo("Dry run: nothing was changed.")
        else:
            click.echo("Done. The audit trail was kept, without the link to each family.")

    @app.cli.command("backup")
    @click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
    def backup_command(path: Path) -> None:
        """Write a backup of the database to PATH (SQLite file copy, or pg_dump custom format)."""
        try:
            backup_database(path)
        except BackupError as error:
            raise click.ClickException(str(error)) from error
        click.echo(f"Backed up the database to {path}")

    @app.cli.command("restore")
    @click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--force", is_flag=True, help="Restore even if the database holds records.")
    def restore_command(path: Path, force: bool) -> None:
        """Replace the database with the backup at PATH."""
        try:
            restore_database(path, force=force)
        except BackupError as error:
            raise click.ClickException(str(error)) from error
        click.echo(f"Restored the database from {path}")
