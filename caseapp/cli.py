"""Command-line tools: `flask --app caseapp <command>`."""

from __future__ import annotations

import click
from flask import Flask, current_app

from caseapp.cli_bench import register_bench_cli
from caseapp.cli_data_protection import register_data_protection_cli
from caseapp.domain.roles import Role
from caseapp.services.accounts import AccountError, create_user
from caseapp.services.demo_data import (
    DEMO_LOGINS,
    DEMO_PASSWORD,
    DemoDataRefused,
    database_is_empty,
    demo_data_loaded,
    load_demo_data,
)


def _print_demo_logins() -> None:
    click.echo("")
    click.echo(f"Demo sign-ins, each with the password: {DEMO_PASSWORD}")
    for login in DEMO_LOGINS:
        click.echo(f"  {login.role.label:<28} {login.email}")
    click.echo("")


def register_cli(app: Flask) -> None:
    register_data_protection_cli(app)
    register_bench_cli(app)

    @app.cli.command("create-user")
    @click.option("--email", prompt=True)
    @click.option("--name", prompt=True)
    @click.option(
        "--role",
        "roles",
        multiple=True,
        required=True,
        type=click.Choice([role.value for role in Role]),
        help="Repeat for each role the person holds.",
    )
    @click.option("--job-title", default="")
    @click.password_option()
    def create_user_command(
        email: str, name: str, roles: tuple[str, ...], job_title: str, password: str
    ) -> None:
        """Create a staff account."""
        try:
            user = create_user(
                email=email,
                name=name,
                password=password,
                roles={Role(role) for role in roles},
                job_title=job_title,
            )
        except AccountError as error:
            raise click.ClickException(str(error)) from error
        click.echo(f"Created {user.email} with roles: {', '.join(sorted(roles))}")

    @app.cli.command("demo-data")
    @click.option(
        "--if-empty",
        is_flag=True,
        help="Load only into an empty database; otherwise leave it as it is.",
    )
    @click.option(
        "--force", is_flag=True, help="Add demo data even beside records that are not demo data."
    )
    def demo_data_command(if_empty: bool, force: bool) -> None:
        """Load fictional demonstration families and one user per role."""
        if demo_data_loaded():
            click.echo("Demo data is already loaded.")
        elif if_empty and not database_is_empty():
            click.echo("The database already holds records; demo data was not loaded.")
            return
        else:
            try:
                load_demo_data(current_app.extensions["caseapp.framework"], force=force)
            except DemoDataRefused as refused:
                raise click.ClickException(str(refused)) from refused
            click.echo("Loaded demo data.")
        _print_demo_logins()
