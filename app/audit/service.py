"""Writing and reading audit events. There is deliberately no update or delete here."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import insert
from sqlmodel import Session, col, func, select

from app.audit.models import AuditEvent


@dataclass(frozen=True)
class Actor:
    """Who caused an event and from where; built from a request's principal or by the CLI."""

    user_id: int | None = None
    username: str = ""
    device_id: int | None = None
    address: str = ""


SYSTEM = Actor(username="system")


def record(session: Session, actor: Actor, action: str, *, object_type: str = "",
           object_id: str | int = "", detail: dict | None = None) -> AuditEvent:
    event = AuditEvent(
        actor_id=actor.user_id,
        actor_name=actor.username,
        device_id=actor.device_id,
        address=actor.address,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        detail=detail or {},
    )
    session.add(event)
    return event


def record_many(session: Session, actor: Actor, action: str, *, object_type: str,
                events: list[tuple[str, dict]]) -> None:
    """One event per (object id, detail), written as plain rows in one statement: a push
    records a hundred at once. The session's pending objects are written first."""
    if not events:
        return
    session.flush()
    session.execute(insert(AuditEvent.__table__), [
        {"actor_id": actor.user_id, "actor_name": actor.username, "device_id": actor.device_id,
         "address": actor.address, "action": action, "object_type": object_type,
         "object_id": object_id, "detail": detail} for object_id, detail in events])


@dataclass
class AuditFilter:
    action: str = ""
    actor: str = ""
    object_id: str = ""
    date_from: date | None = None
    date_to: date | None = None


def search(session: Session, filters: AuditFilter, *, user_ids: set[int] | None,
           limit: int, offset: int) -> tuple[list[AuditEvent], int]:
    """Events matching the filters, newest first; user_ids limits to events by those users
    (an admin sees the events of the users of their county, plus anonymous ones)."""
    query = select(AuditEvent)
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.actor:
        query = query.where(AuditEvent.actor_name == filters.actor)
    if filters.object_id:
        query = query.where(AuditEvent.object_id == filters.object_id)
    if filters.date_from:
        query = query.where(AuditEvent.at >= datetime.combine(filters.date_from, time.min))
    if filters.date_to:
        upper = datetime.combine(filters.date_to + timedelta(days=1), time.min)
        query = query.where(AuditEvent.at < upper)
    if user_ids is not None:
        query = query.where(col(AuditEvent.actor_id).in_(user_ids) | col(AuditEvent.actor_id).is_(None))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(col(AuditEvent.id).desc()).limit(limit).offset(offset)
    ).all()
    return list(rows), total


def actions(session: Session) -> list[str]:
    return list(session.exec(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))
