// Unit checks of the browser's form rules on a small inline form. Agreement with the server
// on the real registration form is proven by tests/forms/test_engine_parity.py, which runs the
// server's validator and this engine on the same payloads.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { FormEngine } from '../form-engine.js';

const field = (extra) => ({
  list_name: null, label: { zh: 'x' }, hint: {}, required: null, required_message: {},
  relevant: null, constraint: null, constraint_message: {}, calculation: null, trigger: null,
  choice_filter: null, appearance: '', default: null, read_only: false, parameters: null,
  repeat: null, id_number: false, ...extra,
});
const definition = {
  form_id: 't', version: '1', title: {}, default_language: 'zh', languages: ['zh'],
  choices: { yn: [{ name: 'yes', label: { zh: '是' } }, { name: 'no', label: { zh: '否' } }] },
  fields: [
    field({ name: 'outcome', type: 'select_one', list_name: 'yn', required: 'true()' }),
    field({ name: 'members', type: 'repeat', relevant: "${outcome} = 'yes'", children: [
      field({ name: 'id_number', type: 'text', repeat: 'members', id_number: true, constraint: 'id-valid(.)',
              constraint_message: { zh: '身份证号码有误' } }),
      field({ name: 'sex', type: 'text', repeat: 'members', calculation: 'id-sex(${id_number})', trigger: '${id_number}' }),
      field({ name: 'age', type: 'calculate', repeat: 'members', calculation: 'age(id-birthdate(${id_number}))' }),
    ] }),
  ],
};
const engine = new FormEngine(definition, { required: ['此项必填', 'This field is required'] });
const TODAY = '2026-11-23';

test('required, and an ID number says which rule it breaks', () => {
  const result = engine.run({ outcome: 'yes', members: [{ id_number: '350524198001011235' }] }, { today: TODAY });
  assert.deepEqual(result.errors.map((e) => [e.path, e.code, e.message]),
    [['members[0].id_number', 'constraint', '身份证号码校验位不对，请逐位核对']]);
  const missing = engine.run({}, { today: TODAY });
  assert.deepEqual(missing.errors.map((e) => [e.path, e.message]), [['outcome', '此项必填']]);
});

test('hidden repeats are dropped and calculations recomputed on what is kept', () => {
  const result = engine.run({ outcome: 'no', members: [{ id_number: 'garbage' }] }, { today: TODAY });
  assert.deepEqual(result.errors, []);
  assert.deepEqual(result.cleaned, { outcome: 'no' });
  assert.equal(result.relevance.get('members'), false);
});

test('a pre-fill proposes the value but what was sent is kept', () => {
  const member = { id_number: '11010519491231002x', sex: '1' };
  const result = engine.run({ outcome: 'yes', members: [member] }, { today: TODAY });
  assert.equal(result.cleaned.members[0].sex, '1');
  assert.equal(result.cleaned.members[0].id_number, '11010519491231002X');
  assert.equal(result.cleaned.members[0].age, 76);
  assert.equal(engine.prefill(definition.fields[1].children[1], {}, { id_number: '11010519491231002X' }, {}, TODAY), '2');
});

test('unknown fields and bad choices have the server\'s codes', () => {
  const result = engine.run({ outcome: 'maybe', extra: 1 }, { today: TODAY });
  assert.deepEqual(result.errors.map((e) => [e.path, e.code]).sort(),
    [['extra', 'field_unknown'], ['outcome', 'choice_unknown']]);
});
