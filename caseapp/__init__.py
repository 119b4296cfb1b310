"""caseapp: a case tracker for Early Help teams in English councils."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

from caseapp.config import settings_from_env
from caseapp.extensions import csrf, db, htmx, limiter, login_manager, migrate
from caseapp.read_only_ends import install_read_only_ends
from caseapp.services.drift_facts import keep_drift_facts
from caseapp.web.requests_cleaning import CleanRequest

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=str(PROJECT_ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.from_mapping(settings_from_env(Path(app.instance_path)))
    if test_config:
        app.config.from_mapping(test_config)

    # Our templates first, then the GOV.UK Frontend macros from their packages.
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(PROJECT_ROOT / "templates")),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    from caseapp.frameworks import FRAMEWORK_DIR, load_framework, supporting_families

    # Loading here stops start-up with a message naming the file if the data is malformed.
    app.extensions["caseapp.framework"] = load_framework(
        app.config["CASEAPP_FRAMEWORK"], app.config["CASEAPP_FRAMEWORK_DIR"] or FRAMEWORK_DIR
    )
    app.extensions["caseapp.headline_outcomes"] = supporting_families.load_headline_outcomes()

    db.init_app(app)
    install_read_only_ends(app)
    keep_drift_facts()
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"))
    csrf.init_app(app)
    htmx.init_app(app)
    # After htmx: it installs its own request class, which ours extends.
    app.request_class = CleanRequest
    login_manager.init_app(app)
    limiter.init_app(app)
    WTFormsHelpers(app)

    from caseapp import models  # noqa: F401  (registers the tables with the metadata)
    from caseapp.cli import register_cli
    from caseapp.web import register_web

    register_web(app)
    register_cli(app)
    return app
