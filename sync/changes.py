"""The server-wide change sequence that pull cursors point into.

Every write a device must see (a published form version, a new or changed target, a
submission whose state changed) stamps the changed row's `seq` with a number from
`next_seq()`, taken inside the writing transaction.

Why a counter row and not a database sequence or an autoincrement: a pull reads
"everything with seq > cursor", so a number must never become visible after a larger one
has been read, or the device would move its cursor past it and never see that change. A
PostgreSQL sequence hands out numbers at once, outside the transaction: transaction A takes
5, B takes 6 and commits first, a pull sees 6 and answers cursor 6; then A commits 5, which
no cursor will ever reach again. Incrementing one counter row instead makes the row lock
serialise the writers: B cannot take a number until A has committed or rolled back, so
commit order equals sequence order and a rolled-back number is simply handed out again.
SQLite serialises all writers anyway. The price is that writers which take numbers queue
behind each other for the rest of their transaction; those transactions are short.

The pull also reads the counter (without locking it) before anything else and reads only
rows with seq up to that value: every number up to it belongs to a committed transaction,
so one pull sees a complete prefix of the sequence even though PostgreSQL gives each of its
statements a fresh snapshot.
"""
from sqlalchemy import BigInteger, Column, update
from sqlmodel import Field, Session, SQLModel, select

COUNTER_ID = 1


class ChangeCounter(SQLModel, table=True):
    """A single row (id 1, created by the migration) holding the last number handed out."""

    __tablename__ = "change_counter"

    id: int = Field(primary_key=True)
    value: int = Field(sa_column=Column(BigInteger, nullable=False))


def next_seq(session: Session, count: int = 1) -> int:
    """Reserve `count` consecutive numbers and return the first. Holds the counter's row lock
    until the caller's transaction ends."""
    last = session.exec(
        update(ChangeCounter).where(ChangeCounter.id == COUNTER_ID)
        .values(value=ChangeCounter.value + count).returning(ChangeCounter.value)
    ).scalar_one()
    return last - count + 1


def hold(session: Session) -> None:
    """Take the counter's row lock now, for the rest of the caller's transaction, without
    taking a number.

    A push holds it from before it looks its ids up for the last time, so two requests
    carrying the same record run one after the other and the second finds the first's row:
    deciding "new, store it" and storing it cannot be split by another writer. It validates
    its items before, without the lock, which keeps the time the lock is held to a few
    statements per batch. On SQLite the request's transaction already holds the database's
    write lock from its BEGIN IMMEDIATE (app/db.py), so reads never see a snapshot that a
    write would have to upgrade."""
    session.exec(update(ChangeCounter).where(ChangeCounter.id == COUNTER_ID)
                 .values(value=ChangeCounter.value))


def current_seq(session: Session) -> int:
    """The last number handed out by a committed transaction (or by the caller's own)."""
    return session.exec(select(ChangeCounter.value).where(ChangeCounter.id == COUNTER_ID)).one()
