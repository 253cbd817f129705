"""What the benchmark scripts share: a throw-away PostgreSQL database and Django on top of it."""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Callable
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


def run_on_database(
    argv: list[str] | None,
    *,
    description: str | None,
    name: str,
    default_url: str,
    run_bench: Callable[[argparse.Namespace], int],
    add_arguments: Callable[[argparse.ArgumentParser], None] | None = None,
) -> int:
    """The command line shared by the benches of a seeded tenant: `--small`, `--database-url`
    (default from BENCH_<NAME>_DATABASE_URL), `--workspace`, `--no-seed`, `--requests`, and
    the bench's own (`add_arguments`). Without `--no-seed` the bench's own database is
    created first and dropped at the end."""
    parser = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--small", action="store_true", help="seed the small demo instead")
    parser.add_argument(
        "--database-url",
        default=os.environ.get(f"BENCH_{name.upper()}_DATABASE_URL", default_url),
    )
    parser.add_argument("--workspace", default=f"Bench {name.capitalize()}")
    parser.add_argument("--no-seed", action="store_true", help="measure an existing workspace")
    parser.add_argument("--requests", type=int, default=200)
    if add_arguments is not None:
        add_arguments(parser)
    args, _unknown = parser.parse_known_args(argv)
    own_database = not args.no_seed
    if own_database:
        try:
            recreate_database(args.database_url)
        except Exception as exc:  # no PostgreSQL: say so, and fail (the figures are for it)
            print(f"cannot create the bench database at {args.database_url}: {exc}")
            return 1
    with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as var_dir:
        try:
            setup_django(args.database_url, var_dir)
            return run_bench(args)
        finally:
            from django.db import connections

            connections.close_all()
            if own_database:
                recreate_database(args.database_url, drop_only=True)
