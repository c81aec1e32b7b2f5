"""The `canbao` console command. Every failure is one clear line on stderr and exit status 1."""
import argparse
import getpass
import sys
from pathlib import Path

from sqlmodel import Session

from app.config import PROJECT_ROOT, get_settings


class CommandError(Exception):
    pass


def migrate(database_url: str) -> None:
    from alembic import command
    from alembic.config import Config

    config = Config(str(Path(PROJECT_ROOT) / "alembic.ini"))
    config.attributes["database_url"] = database_url
    command.upgrade(config, "head")


def _engine(settings):
    import app.models  # noqa: F401  (every table must be known before the first flush)
    from app.db import make_engine

    return make_engine(settings.database_url)


def cmd_migrate(args, settings) -> None:
    migrate(settings.database_url)
    print("database is at the latest schema", file=sys.stderr)


def cmd_seed_demo(args, settings) -> None:
    from app import demo
    from app.accounts.secrets import Passwords

    engine = _engine(settings)
    with Session(engine) as session:
        added = demo.seed(session, Passwords(settings), settings.demo_password)
        session.commit()
    print(f"demo data: {added['areas']} areas and {added['users']} users added", file=sys.stderr)


def cmd_serve(args, settings) -> None:
    import uvicorn

    from app import demo
    from app.main import create_app

    settings.check_safe_to_start()
    if args.port:
        settings.port = args.port
    if not args.no_migrate:
        migrate(settings.database_url)
    if args.demo:
        with Session(_engine(settings)) as session:
            if demo.is_empty(session):
                cmd_seed_demo(args, settings)
    uvicorn.run(create_app(settings), host=args.host or settings.host, port=settings.port,
                proxy_headers=True, forwarded_allow_ips=args.forwarded_allow_ips)


def cmd_create_user(args, settings) -> None:
    from app.accounts import service as accounts
    from app.accounts.secrets import Passwords
    from app.audit.service import Actor
    from app.errors import ApiError

    password = args.password or getpass.getpass("password: ")
    with Session(_engine(settings)) as session:
        try:
            user = accounts.create_user(session=session, passwords=Passwords(settings),
                                        actor=Actor(username="cli"), username=args.username,
                                        display_name=args.name or args.username, role=args.role,
                                        password=password, area_codes_=args.area)
        except ApiError as error:
            raise CommandError(_english(error.message, error.params)) from None
        session.commit()
        print(f"created user {user.username} ({user.role})", file=sys.stderr)


def cmd_import_areas(args, settings) -> None:
    from app.areas import service as areas
    from app.audit import service as audit
    from app.audit.service import Actor

    path = Path(args.file)
    if not path.is_file():
        raise CommandError(f"no such file: {path}")
    with Session(_engine(settings)) as session:
        try:
            result = areas.import_areas(session, path.read_bytes())
        except areas.AreaFileError as error:
            raise CommandError(f"{path}: {error.message}") from None
        if result.errors:
            session.rollback()
            for error in result.errors:
                print(f"{path}:{error.row}: {error.code}: {_english(error.message, error.params)}",
                      file=sys.stderr)
            raise CommandError(f"{path}: {len(result.errors)} bad rows; nothing imported")
        audit.record(session, Actor(username="cli"), "areas.import", object_type="file",
                     object_id=path.name, detail={"created": result.created, "updated": result.updated})
        session.commit()
    print(f"areas: {result.created} created, {result.updated} renamed", file=sys.stderr)


def _english(message: str, params: dict) -> str:
    return message.format(**params) if params else message


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="canbao", description="canbao 参保 server and tools")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="apply migrations and run the web server")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--demo", action="store_true", help="load demo data into an empty database")
    serve.add_argument("--no-migrate", action="store_true")
    serve.add_argument("--forwarded-allow-ips", default="127.0.0.1")
    serve.set_defaults(func=cmd_serve)

    commands.add_parser("migrate", help="upgrade the database schema").set_defaults(func=cmd_migrate)
    commands.add_parser("seed-demo", help="load the demo county and users (idempotent)") \
        .set_defaults(func=cmd_seed_demo)

    create = commands.add_parser("create-user", help="create a user")
    create.add_argument("username")
    create.add_argument("--role", required=True, choices=["enumerator", "supervisor", "admin"])
    create.add_argument("--area", action="append", required=True,
                        help="area code; repeat for several villages")
    create.add_argument("--name", help="display name")
    create.add_argument("--password", help="read from the terminal when omitted")
    create.set_defaults(func=cmd_create_user)

    importer = commands.add_parser("import-areas", help="import areas from a CSV of code,name[,parent]")
    importer.add_argument("file")
    importer.set_defaults(func=cmd_import_areas)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = get_settings()
        args.func(args, settings)
    except CommandError as error:
        print(f"canbao: error: {error}", file=sys.stderr)
        return 1
    except Exception as error:  # one line, not a traceback, for anything unexpected at the CLI
        print(f"canbao: error: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
