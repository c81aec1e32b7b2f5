"""One transaction per request: a savepoint taken first does not commit on its own."""
from sqlmodel import Session, select

from app.areas.models import Area


def test_a_released_savepoint_is_undone_by_the_outer_rollback(app):
    with Session(app.state.engine) as session:
        with session.begin_nested():
            session.add(Area(code="350524109", name="回滚镇", level="township", parent_code="350524"))
        session.rollback()
    with Session(app.state.engine) as session:
        assert session.get(Area, "350524109") is None


def test_a_failing_write_request_leaves_nothing(client, db):
    from support import csrf, login

    login(client, "admin")
    before = db.exec(select(Area)).all()
    response = client.post("/admin/areas/import", data={"csrf_token": csrf(client)},
                           files={"file": ("a.csv", "350524110,好镇\n350524110001,\n".encode(), "text/csv")})
    assert response.status_code == 400
    db.expire_all()
    assert len(db.exec(select(Area)).all()) == len(before)
