"""What the server validates against: the stored definition of a form version
(app/forms/service.py definition_of), built once per process for a published version."""
import copy
from pathlib import Path

from sqlmodel import select

from app.audit.service import SYSTEM
from app.forms import service as forms
from app.forms.definition import load_definition, load_file
from app.forms.models import FormVersion
REGISTRATION = load_file(Path(__file__).resolve().parents[2] / "survey_forms" / "canbao_registration.yaml")


def _retitled(title: str):
    source = copy.deepcopy(REGISTRATION.to_source())
    source["settings"].update(version="2099.1", title={"zh": title, "en": title})
    return load_definition(source)


def test_a_replaced_draft_is_read_again_and_a_published_version_once(db):
    draft = forms.upload(session=db, actor=SYSTEM, county_code="350524", form=_retitled("草稿一"))
    assert forms.definition_of(draft).title["zh"] == "草稿一"
    draft = forms.upload(session=db, actor=SYSTEM, county_code="350524", form=_retitled("草稿二"))
    assert forms.definition_of(draft).title["zh"] == "草稿二"

    forms.publish(session=db, actor=SYSTEM, row=draft)
    db.commit()
    stored = db.exec(select(FormVersion).where(FormVersion.version == "2099.1")).one()
    assert forms.definition_of(stored) is forms.definition_of(stored)
    assert forms.definition_of(stored).title["zh"] == "草稿二"
