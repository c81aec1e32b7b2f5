"""The `canbao` console command. Every failure is one clear line on stderr and exit status 1."""
import argparse
import getpass
import logging
import sys
from pathlib import Path

from sqlmodel import Session, select

from app.config import PROJECT_ROOT, get_settings


# What the operator reads: one line per event on stderr (stdout stays free for data).
log = logging.getLogger("canbao.cli")


class CommandError(Exception):
    pass


class _Stderr(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time, so a caller that swaps it sees the lines."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value):
        pass


def _report_to_operator() -> None:
    if not log.handlers:
        log.addHandler(_Stderr())
        log.setLevel(logging.INFO)
        log.propagate = False


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
    log.info("database is at the latest schema")


def cmd_seed_demo(args, settings) -> None:
    from app import demo
    from app.accounts.secrets import Passwords

    engine = _engine(settings)
    with Session(engine) as session:
        added = demo.seed(session, Passwords(settings), settings.demo_password)
        added["households"] = demo.seed_households(session)
        session.commit()
    log.info(f"demo data: {added['areas']} areas and {added['users']} users added")


def cmd_serve(args, settings) -> None:
    from app import demo, serving
    from app.main import create_app

    settings.check_safe_to_start()
    if settings.registry_worker is None:
        settings.registry_worker = True
    if args.port:
        settings.port = args.port
    if not args.no_migrate:
        migrate(settings.database_url)
    if args.demo:
        with Session(_engine(settings)) as session:
            if demo.is_empty(session):
                cmd_seed_demo(args, settings)
    # Several workers each import app.asgi, which reads the same settings from the environment.
    app = create_app(settings) if args.workers == 1 else serving.ASGI_APP
    serving.run(app, host=args.host or settings.host, port=settings.port, workers=args.workers,
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
        log.info(f"created user {user.username} ({user.role})")


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
                log.info(f"{path}:{error.row}: {error.code}: {_english(error.message, error.params)}")
            raise CommandError(f"{path}: {len(result.errors)} bad rows; nothing imported")
        audit.record(session, Actor(username="cli"), "areas.import", object_type="file",
                     object_id=path.name, detail={"created": result.created, "updated": result.updated})
        session.commit()
    log.info(f"areas: {result.created} created, {result.updated} renamed")


def cmd_import_targets(args, settings) -> None:
    from app.areas.models import Area, AreaLevel
    from app.audit.service import Actor
    from app.db import WRITE_OPTION
    from app.targets import roster, service

    path = Path(args.file)
    if not path.is_file():
        raise CommandError(f"no such file: {path}")
    with Session(_engine(settings)) as session:
        session.connection(execution_options={WRITE_OPTION: True})
        # The operator of the server may fill every county's villages.
        counties = list(session.exec(select(Area.code).where(Area.level == AreaLevel.county)))
        try:
            result = service.import_roster(
                session=session, actor=Actor(username="cli"), scope=counties, path=path,
                file_name=path.name, sha256=roster.fingerprint(path),
                mapping=roster.parse_mapping(args.map), import_valid=args.import_valid,
                locale=args.lang, report=Path(args.report) if args.report else None,
                progress=log.info)
        except roster.RosterFileError as error:
            hint = " (name the columns with --map 姓名=<column>)" if error.headers else ""
            raise CommandError(f"{path}: {_english(error.message, error.params)}{hint}") from None
        session.commit()
    for problem in result.first_problems:
        log.info(f"{path}:{problem['row_no']}: {problem['codes']}: {problem['reasons']}")
    if result.bad > len(result.first_problems):
        log.info(f"... and {result.bad - len(result.first_problems)} more bad rows"
              + (f" (all in {args.report})" if args.report else " (write them all with --report FILE)"))
    outcome = "imported" if result.imported else "dry run, nothing imported (add --import-valid)"
    log.info(f"targets: {result.rows} rows, {result.valid} valid, {result.bad} bad; "
          f"{result.created} new, {result.updated} changed, {result.unchanged} unchanged; {outcome}")


def _registry_engines(settings):
    from app.registry.store import make_registry_engine

    engine = _engine(settings)
    return engine, make_registry_engine(settings, engine)


def cmd_registry_init(args, settings) -> None:
    from app.registry import store

    engine, registry = _registry_engines(settings)
    if registry is engine:
        raise CommandError("the registry is the app's database (CANBAO_REGISTRY_DATABASE_URL is not "
                           "set); `canbao migrate` creates its tables")
    try:
        store.ensure_schema(registry, engine)
    except Exception as error:
        raise CommandError(f"registry unreachable: {type(error).__name__}: "
                           f"{(str(error).splitlines() or [''])[0]}") from None
    log.info("registry tables are ready")


def cmd_push_registry(args, settings) -> None:
    from app.registry import service, worker

    engine, registry = _registry_engines(settings)
    # This command reports a failure itself, in one line; the worker's log would repeat it.
    logging.getLogger("canbao.registry").addHandler(logging.NullHandler())
    # An operator's run tries everything that is waiting, backoff or not.
    result = worker.drain(engine, registry, due_only=False)
    with Session(engine) as session:
        waiting = service.status(session, None).pending
    pushed = f"{result.people} people from {result.households} households pushed"
    if result.error:
        raise CommandError(f"registry push failed, {waiting} people wait; {pushed}: {result.error}")
    log.info(f"registry: {pushed}, {waiting} waiting")


def _progress(fmt: str, rows: int) -> None:
    log.info(f"{fmt}: {rows} rows")


def cmd_export_batch(args, settings) -> None:
    from app.areas.models import Area, AreaLevel
    from app.audit.service import Actor
    from app.db import WRITE_OPTION
    from app.errors import ApiError
    from app.exports import service as exports

    engine, registry = _registry_engines(settings)
    actor = Actor(username="cli")
    output = Path(args.output)
    partial = output.with_name(output.name + ".part")
    try:
        with partial.open("wb") as handle:
            # The batch's rows are used after the commit, to write the file.
            with Session(engine, expire_on_commit=False) as session:
                session.connection(execution_options={WRITE_OPTION: True})
                county = args.county or (args.township or "")[:6] or None
                if county is None:
                    counties = list(session.exec(select(Area.code).where(Area.level == AreaLevel.county)))
                    if len(counties) != 1:
                        raise CommandError("choose the county with --county CODE")
                    county = counties[0]
                try:
                    if args.batch:
                        info = exports.by_number(session, county, args.batch)
                        if info is None:
                            raise CommandError(f"county {county} has no batch {args.batch}")
                    else:
                        # A new batch's file is written as the batch is made: one read, not two.
                        info = exports.create_batch(session=session, app_engine=engine, registry_engine=registry,
                                                    actor=actor, county_code=county, township_code=args.township,
                                                    progress=_progress, copy_to=(args.format, handle))
                        log.info(f"batch {info.batch.number} of county {county}: {info.count} people")
                    exports.probe(registry)
                except ApiError as error:
                    raise CommandError(_english(error.message, error.params)) from None
                exports.record_download(session, actor, info, args.format)
                session.commit()
            if args.batch:
                for chunk in exports.stream(engine, registry, info, args.format, progress=_progress):
                    handle.write(chunk)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(output)
    file = info.files[args.format]
    log.info(f"{output}: batch {info.batch.number}, {info.count} people, {file.byte_size} bytes, "
          f"sha256 {file.sha256}")


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
    serve.add_argument("--workers", type=int, default=1,
                       help="server processes (one per core), sharing one port")
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

    targets = commands.add_parser(
        "import-targets", help="check a roster of targets (CSV or XLSX); with --import-valid, import its valid rows")
    targets.add_argument("file")
    targets.add_argument("--import-valid", action="store_true",
                         help="write the valid rows (without it: a dry run that writes nothing)")
    targets.add_argument("--report", help="write every bad row with its reason to this CSV file")
    targets.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN",
                         help="which column holds a field when the headers differ, e.g. 姓名=XM; repeat")
    targets.add_argument("--lang", choices=["zh_CN", "en"], default="zh_CN",
                         help="language of the reasons in the report")
    targets.set_defaults(func=cmd_import_targets)
    init = commands.add_parser("registry-init", help="create the tables of a separate registry database")
    init.set_defaults(func=cmd_registry_init)
    commands.add_parser("push-registry", help="push every approved person waiting for the registry, once") \
        .set_defaults(func=cmd_push_registry)

    export = commands.add_parser("export-batch", help="make the next export batch (or, with --batch, "
                                                      "download an existing one) and write it to a file")
    export.add_argument("--format", choices=["csv", "xlsx", "jsonl"], default="csv")
    export.add_argument("--county", help="county code (needed when the database holds several)")
    export.add_argument("--township", help="a new batch of this township only")
    export.add_argument("--batch", type=int, metavar="N", help="write the county's existing batch N")
    export.add_argument("-o", "--output", required=True, metavar="FILE")
    export.set_defaults(func=cmd_export_batch)
    return parser


def main(argv: list[str] | None = None) -> int:
    _report_to_operator()
    args = build_parser().parse_args(argv)
    try:
        settings = get_settings()
        args.func(args, settings)
    except CommandError as error:
        log.error(f"canbao: error: {error}")
        return 1
    except Exception as error:  # one line, not a traceback, for anything unexpected at the CLI
        log.error(f"canbao: error: {type(error).__name__}: {error}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
