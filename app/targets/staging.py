"""The database side of a roster import: checked rows go into a temporary staging table in
batches, and everything that looks at the whole file (the same person twice, what already
exists, the write itself) runs as a few set-based statements over it. Python's memory holds
a batch or two and one hash per staged person, at most PEOPLE_TRACKED of them (75 MB a
million), whatever the size of the file.

The statements are plain SQLAlchemy Core and run on SQLite and PostgreSQL alike; only the
batches go in differently: on PostgreSQL one COPY streams them, several times faster than
INSERT, while Python goes on reading; elsewhere the driver's executemany.
"""
import sys
from contextlib import ExitStack
from queue import Queue
from datetime import datetime

from psycopg import Copy
from psycopg.copy import QueuedLibpqWriter

from sqlalchemy import (Column, Connection, Integer, MetaData, String, Table, and_, case, cast,
                        delete, func, insert, literal, select, text, update)

from app.targets.models import Target, TargetStatus

BATCH = 5000
PEOPLE_TRACKED = 2_000_000
REPEAT_CODE = "duplicate_in_file"
_NULL = "\\N"  # COPY's text format spells NULL so

_metadata = MetaData()  # not SQLModel's: these tables live only inside one import's transaction
ROWS = Table(
    "roster_row", _metadata,
    Column("row_no", Integer, nullable=False),
    Column("village_code", String(12), nullable=False),
    Column("id_number", String(18), nullable=False),
    Column("name", String(64), nullable=False),
    Column("address", String(200), nullable=False),
    Column("uninsured", String(100), nullable=False),
    Column("assigned_to_id", Integer),
    prefixes=["TEMPORARY"],
)
PROBLEMS = Table(
    "roster_problem", _metadata,
    Column("row_no", Integer, nullable=False),
    Column("name", String, nullable=False),
    Column("id_masked", String, nullable=False),
    Column("reasons", String, nullable=False),
    Column("codes", String, nullable=False),
    prefixes=["TEMPORARY"],
)
_ROW_COLUMNS = ("row_no", "village_code", "id_number", "name", "address", "uninsured",
                "assigned_to_id")
_TARGET = Target.__table__


class Staging:
    """The staging tables of one import, on the caller's connection and transaction."""

    def __init__(self, connection: Connection):
        self.connection = connection
        self.postgresql = connection.dialect.name == "postgresql"
        self._problems: list[dict] = []
        self._copy: Copy | None = None
        self._copying = ExitStack()
        # The hashes of the ID numbers staged so far: a repeat is rare, and without one the
        # grouping of the whole table that finds repeats can be skipped. A hash that merely
        # collides, or a file too long to follow, only costs that grouping.
        self._people: set[int] = set()
        self._may_repeat = False
        # Created inside the import's savepoint: a dry run or a failure rolls them back, on
        # SQLite as on PostgreSQL, so no connection of the pool keeps them.
        for table in (ROWS, PROBLEMS):
            table.create(connection)

    def add(self, rows: list[tuple]) -> None:
        """Stage checked rows, each (row number, *GoodRow fields)."""
        if not self._may_repeat:
            people = len(self._people)
            self._people.update([hash(row[2]) for row in rows])
            if len(self._people) - people < len(rows) or len(self._people) > PEOPLE_TRACKED:
                self._may_repeat = True
                self._people.clear()
        self._write(rows)

    def problem(self, row_no: int, name: str, id_masked: str, reasons: str, codes: str) -> None:
        self._problems.append({"row_no": row_no, "name": name, "id_masked": id_masked,
                               "reasons": reasons, "codes": codes})
        if len(self._problems) >= BATCH:
            self._flush_problems()

    def finish(self) -> None:
        """End the COPY, write the problems left, and let the planner know the table's size: a
        temporary table has no statistics until analysed, and PostgreSQL would then join a
        million rows by a million index look-ups instead of one hash join (8 s instead of 1)."""
        self._end_copy()
        self._flush_problems()
        self._people.clear()
        if self.postgresql:
            # The statements over the whole file hash a million rows: in memory rather than
            # in batches spilled to disk. A small sample is enough to know the table's size.
            self.connection.execute(text("SET LOCAL work_mem = '128MB'"))
            self.connection.execute(text("SET LOCAL default_statistics_target = 10"))
        self.connection.execute(text(f"ANALYZE {ROWS.name}"))

    def _write(self, rows: list[tuple]) -> None:
        if not rows:
            return
        if self.postgresql:
            copy = self._copy or self._start_copy()
            text = _copy_text(rows)
            if text is None:
                for row in rows:
                    copy.write_row(row)
            else:
                copy.write(text)
        else:
            # Straight to the driver, in the caller's transaction: building SQLAlchemy
            # parameters for each row would cost more than the insert itself.
            marker = "?" if self.connection.dialect.paramstyle == "qmark" else "%s"
            cursor = self.connection.connection.driver_connection.cursor()
            cursor.executemany(f"INSERT INTO roster_row ({', '.join(_ROW_COLUMNS)}) VALUES "
                               f"({', '.join([marker] * len(_ROW_COLUMNS))})", rows)
            cursor.close()

    def _start_copy(self) -> Copy:
        """One COPY for all the rows, until a batch of problems needs the connection. Its
        writer hands the data to a thread, so PostgreSQL stores one batch while Python reads
        and checks the next: the import uses both cores."""
        cursor = self._copying.enter_context(self.connection.connection.driver_connection.cursor())
        self._copy = self._copying.enter_context(cursor.copy(
            f"COPY roster_row ({', '.join(_ROW_COLUMNS)}) FROM STDIN",
            writer=_QueuedWriter(cursor)))
        return self._copy

    def _end_copy(self) -> None:
        self._copy = None
        self._copying.close()

    def abandon(self) -> None:
        """End a COPY left open by a failure, so that the connection can roll back."""
        self._copy = None
        try:
            self._copying.__exit__(*sys.exc_info())
        except Exception:  # noqa: S110  (the failure that brought us here is the one to report)
            pass

    def _flush_problems(self) -> None:
        if self._problems:
            self._end_copy()
            self.connection.execute(insert(PROBLEMS), self._problems)
            self._problems.clear()

    def drop_repeats(self, reason_before: str, reason_after: str) -> None:
        """A person (ID number) the file already listed further up: report the later rows and
        keep the first. A grouping finds the repeated numbers (usually none) without sorting
        the file; the reason is built in SQL, "…row " + the first row's number + "…"."""
        if not self._may_repeat:
            return
        repeated = (select(ROWS.c.id_number, func.min(ROWS.c.row_no).label("first_row"))
                    .group_by(ROWS.c.id_number).having(func.count() > 1).subquery())
        masked = (func.substr(ROWS.c.id_number, 1, 6) + literal("********")
                  + func.substr(ROWS.c.id_number, 15, 4))
        reason = literal(reason_before) + cast(repeated.c.first_row, String) + literal(reason_after)
        found = self.connection.execute(insert(PROBLEMS).from_select(
            ["row_no", "name", "id_masked", "reasons", "codes"],
            select(ROWS.c.row_no, ROWS.c.name, masked, reason, literal(REPEAT_CODE))
            .join(repeated, repeated.c.id_number == ROWS.c.id_number)
            .where(ROWS.c.row_no > repeated.c.first_row)))
        if found.rowcount:
            self.connection.execute(delete(ROWS).where(
                ROWS.c.row_no.in_(select(PROBLEMS.c.row_no).where(PROBLEMS.c.codes == REPEAT_CODE))))

    # Matching rows to stored targets only reads: the staging table is never updated, since
    # rewriting a million temporary rows costs more than joining again.

    def _stored(self):
        return _TARGET.c.village_code == ROWS.c.village_code, _TARGET.c.id_number == ROWS.c.id_number

    def _unchanged(self, assigns: bool):
        """The stored target already holds exactly this row. Without an enumerator column the
        stored assignment is left as it is, so it does not count."""
        target = _TARGET
        equal = [target.c.name == ROWS.c.name, target.c.address == ROWS.c.address,
                 target.c.uninsured == ROWS.c.uninsured]
        if assigns:
            equal.append(target.c.assigned_to_id.is_not_distinct_from(ROWS.c.assigned_to_id))
        return and_(*equal)

    def classify(self, *, assigns: bool) -> dict[str, int]:
        """Count the rows that are new, that change a stored target, and that change nothing."""
        total, stored, same = self.connection.execute(
            select(func.count(), func.count(_TARGET.c.id),
                   func.coalesce(func.sum(case((self._unchanged(assigns), 1), else_=0)), 0))
            .select_from(ROWS.outerjoin(_TARGET, and_(*self._stored())))).one()
        return {"created": total - stored, "updated": stored - same, "unchanged": same}

    def write(self, *, first_seq: int, updated: int, assigns: bool, now: datetime) -> None:
        """Update the changed targets, then insert the new ones, numbering them first_seq, …
        so that every change gets its own place in the sequence.

        New rows go in, and are numbered, in key order rather than file order: phones do not
        care about the order, and the key, seq and id indexes then grow at their ends rather
        than at random pages."""
        target = _TARGET
        changed = (
            select(target.c.id, ROWS.c.name, ROWS.c.address, ROWS.c.uninsured, ROWS.c.assigned_to_id,
                   (func.row_number().over(order_by=ROWS.c.row_no) + literal(first_seq - 1)).label("seq"))
            .join(target, and_(*self._stored())).where(~self._unchanged(assigns)).subquery())
        values = {"name": changed.c.name, "address": changed.c.address,
                  "uninsured": changed.c.uninsured, "seq": changed.c.seq}
        if assigns:
            values["assigned_to_id"] = changed.c.assigned_to_id
        self.connection.execute(update(target).values(**values).where(target.c.id == changed.c.id))

        key = (ROWS.c.village_code, ROWS.c.id_number)
        new_rows = (
            select(ROWS.c.village_code, ROWS.c.id_number, ROWS.c.name, ROWS.c.address,
                   ROWS.c.uninsured, ROWS.c.assigned_to_id, literal(TargetStatus.open.value, String),
                   func.row_number().over(order_by=key) + literal(first_seq + updated - 1),
                   literal(now, target.c.created_at.type))
            .select_from(ROWS.outerjoin(target, and_(*self._stored())))
            .where(target.c.id.is_(None)).order_by(*key))
        self.connection.execute(insert(target).from_select(
            ["village_code", "id_number", "name", "address", "uninsured", "assigned_to_id",
             "status", "seq", "created_at"], new_rows))

    def problem_count(self) -> int:
        return self.connection.execute(select(func.count()).select_from(PROBLEMS)).scalar_one()

    def problems(self, limit: int | None = None):
        """The bad rows in file order, as mappings (streamed when there is no limit)."""
        query = select(PROBLEMS).order_by(PROBLEMS.c.row_no)
        if limit is not None:
            return self.connection.execute(query.limit(limit)).mappings().all()
        return self.connection.execute(query, execution_options={"yield_per": BATCH}).mappings()

    def drop(self) -> None:
        for table in (ROWS, PROBLEMS):
            table.drop(self.connection)


class _QueuedWriter(QueuedLibpqWriter):
    """psycopg's queued writer with a short queue. Its own holds a thousand buffers, and when
    PostgreSQL stores rows more slowly than Python checks them (a busy server), the queue grows
    to a hundred megabytes; a few buffers are enough to keep both sides working."""

    def __init__(self, cursor):
        super().__init__(cursor)
        self._queue = Queue(maxsize=16)


def _copy_text(rows: list[tuple]) -> str | None:
    """The rows in COPY's text format, or None when a value would need escaping (a tab, a line
    break or a backslash, which rosters hardly ever hold). One string for the batch costs half
    of the driver's row-by-row formatting; whether any value needed escaping is told by
    counting, over the whole batch, the characters that the format itself puts in."""
    nulls = sum(row[6] is None for row in rows)
    text = "".join([f"{r[0]}\t{r[1]}\t{r[2]}\t{r[3]}\t{r[4]}\t{r[5]}\t"
                    f"{_NULL if r[6] is None else r[6]}\n" for r in rows])
    if (text.count("\t") != 6 * len(rows) or text.count("\n") != len(rows)
            or text.count("\\") != nulls or "\r" in text):
        return None
    return text
