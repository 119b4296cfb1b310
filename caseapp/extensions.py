"""Extension objects, created unbound so the application factory can configure them."""

import sqlite3

import psycopg
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from htmx_flask import Htmx
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

# Named constraints let Alembic alter and drop them the same way on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
htmx = Htmx()
# Storage comes from RATELIMIT_STORAGE_URI, so several app servers can share one Redis.
limiter = Limiter(key_func=get_remote_address)


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection: object, connection_record: object) -> None:
    # SQLite leaves foreign keys unenforced unless asked, per connection; WAL lets readers
    # carry on while one writer commits, which the development server and tests rely on.
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA busy_timeout = 5000")
        # SQLite's own page cache is 2 MB unless told otherwise; a council's indexes are
        # larger, and re-reading pages from the OS costs more than the memory (about 32 MB
        # a pooled connection, taken only as pages are read).
        cursor.execute("PRAGMA cache_size = -32000")
        # In WAL mode, NORMAL syncs the log at checkpoints rather than at every commit:
        # the database stays consistent through any crash, and only a power cut or an
        # operating-system crash can undo the last few commits. FULL costs a disk flush
        # per commit, several milliseconds here, paid by every page for its view record.
        # A council's production database is PostgreSQL, which keeps every change's flush.
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()
    elif isinstance(dbapi_connection, psycopg.Connection):
        # PostgreSQL compiles a query with LLVM when its estimated cost is high, which takes
        # tens of milliseconds; this service's queries are short, index-led ones, where
        # compiling never pays back. Likewise parallel workers: starting them took longer
        # (about 10 ms here) than the manager's figures take to count on one process.
        # Committed, since a rolled-back SET is undone.
        dbapi_connection.execute("SET jit = off")
        dbapi_connection.execute("SET max_parallel_workers_per_gather = 0")
        dbapi_connection.commit()
