"""Command-line tools: `flask --app caseapp <command>`."""

from __future__ import annotations

import click
from flask import Flask

from caseapp.domain.roles import Role
from caseapp.services.accounts import AccountError, create_user


def register_cli(app: Flask) -> None:
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
