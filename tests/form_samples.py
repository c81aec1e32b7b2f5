"""Form definitions the tests build on: the bundled registration form and a county's edition."""
from pathlib import Path

import yaml

SOURCE = yaml.safe_load((Path(__file__).resolve().parents[1] / "survey_forms" / "canbao_registration.yaml")
                        .read_text(encoding="utf-8"))


def local_version(version="2026.2") -> dict:
    """The county's own edition: one more question, asked of every household."""
    source = {**SOURCE, "settings": {**SOURCE["settings"], "version": version}}
    question = {"type": "select_one yes_no", "name": "tea_farmer", "required": "true()",
                "label": {"zh": "是否茶农户", "en": "Tea-farming household"}}
    survey = list(source["survey"])
    survey.insert(next(i for i, row in enumerate(survey) if row.get("name") == "address") + 1, question)
    choices = list(source["choices"]) + [
        {"list_name": "yes_no", "name": "yes", "label": {"zh": "是", "en": "Yes"}},
        {"list_name": "yes_no", "name": "no", "label": {"zh": "否", "en": "No"}}]
    return {**source, "survey": survey, "choices": choices}
