"""What the benchmark scripts share: a throw-away PostgreSQL database and Django on top of it."""

from __future__ import annotations

import os
from urllib.parse import urlsplit


def recreate_database(url: str, *, drop_only: bool = False) -> None:
    """Drop the database named by `url` (and create it again unless `drop_only`)."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            connection.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str, var_dir: str) -> None:
    """Django on the bench database, migrated, with tasks queued rather than run in-process
    (a bench times the services it calls itself; no queued task may run them first)."""
    os.environ["DATABASE_URL"] = url
    os.environ["TOUCHPOINT_VAR_DIR"] = var_dir
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from config.celery import app

    app.conf.task_always_eager = False
