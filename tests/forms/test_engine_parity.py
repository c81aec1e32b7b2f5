"""The same rules on the phone and on the server: the browser engine (static/js/form-engine.js,
run in Node) and app/forms/validation.py judge the same payloads identically — every example
of the registration form, and hundreds of variations of them (fields removed, emptied, given a
wrong type or an unknown choice, answers that hide or reveal others)."""
import copy
import json
import subprocess
from datetime import date
from pathlib import Path

from app.forms.definition import load_file
from app.forms.validation import MESSAGES, validate

ROOT = Path(__file__).resolve().parents[2]
FORM = load_file(ROOT / "survey_forms" / "canbao_registration.yaml")
EXAMPLES = json.loads((ROOT / "survey_forms" / "canbao_registration_examples.json").read_text(encoding="utf-8"))
TODAY = date(2026, 11, 23)
ODD_VALUES = ["", "abc", "1", 7, 2.5, "2026-02-30", "unknown_choice", None, "１２３", "0"]


def _variations(payload: dict):
    """Each household field, and each field of each member, removed or replaced."""
    for name in list(payload):
        if name == "members":
            continue
        removed = {key: value for key, value in payload.items() if key != name}
        yield f"without {name}", removed
        for odd in ODD_VALUES:
            yield f"{name}={odd!r}", {**payload, name: odd}
    for index, member in enumerate(payload.get("members", [])):
        for name in list(member):
            for odd in [None, "", "abc", "2", "student", "unit_employed", "not_enrolled"]:
                changed = copy.deepcopy(payload)
                changed["members"][index][name] = odd
                yield f"members[{index}].{name}={odd!r}", changed
    if payload.get("members"):
        yield "members not a list", {**payload, "members": {"0": payload["members"][0]}}
        yield "a member not an object", {**payload, "members": ["x"]}
        yield "an extra unknown member field", {
            **payload, "members": [{**payload["members"][0], "nickname": "x"}]}


def _cases():
    for example in EXAMPLES:
        yield example["name"], example["payload"]
        if example["valid"]:
            yield from ((f"{example['name']}: {label}", payload)
                        for label, payload in _variations(example["payload"]))


def test_browser_engine_agrees_with_the_server(tmp_path):
    cases = [{"name": name, "payload": payload} for name, payload in _cases()]
    assert len(cases) > 500
    source = tmp_path / "cases.json"
    source.write_text(json.dumps({"definition": FORM.to_client(), "messages": MESSAGES,
                                  "today": TODAY.isoformat(), "cases": cases}, ensure_ascii=False),
                      encoding="utf-8")
    output = subprocess.run(["node", str(ROOT / "tests" / "forms" / "run_form_engine.mjs"), str(source)],
                            capture_output=True, text=True, check=True, timeout=120)
    browser = json.loads(output.stdout)
    disagreements = []
    for case, verdict in zip(cases, browser, strict=True):
        server = validate(FORM, case["payload"], today=TODAY)
        expected = sorted([error.path, error.code, error.message_zh] for error in server.errors)
        if sorted(verdict["errors"]) != expected or verdict["cleaned"] != server.cleaned:
            disagreements.append((case["name"], expected, sorted(verdict["errors"])))
    assert disagreements == [], disagreements[:5]
