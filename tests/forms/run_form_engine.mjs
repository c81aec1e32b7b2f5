// Reads {definition, messages, today, cases: [{payload}]} and prints the browser engine's
// verdict on each case as JSON, for tests/forms/test_engine_parity.py to compare.
import { readFileSync } from 'node:fs';

import { FormEngine } from '../../static/js/form-engine.js';

const input = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const engine = new FormEngine(input.definition, input.messages);
const verdicts = input.cases.map(({ payload }) => {
  const result = engine.run(payload, { today: input.today });
  return { errors: result.errors.map((error) => [error.path, error.code, error.message]), cleaned: result.cleaned };
});
process.stdout.write(JSON.stringify(verdicts));
