// The shared expression vectors, run against the browser's evaluator.
// tests/forms/test_expression_vectors.py runs the same file against the server's evaluator,
// so a case that passes in both proves the two implementations agree on it.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';

import { DateValue, ExpressionError, evaluate, parse, references } from '../expression.js';

const VECTORS = JSON.parse(
  readFileSync(new URL('../../../survey_forms/expression_vectors.json', import.meta.url), 'utf8'),
);
const SPECIAL_NUMBERS = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

function makeContext(raw) {
  return { ...raw, today: raw.today ?? VECTORS.default_today };
}

function assertResult(actual, expect) {
  if (typeof expect === 'object' && 'date' in expect) {
    assert.ok(actual instanceof DateValue, `expected a date, got ${typeof actual} ${actual}`);
    assert.equal(actual.toString(), expect.date);
  } else if (typeof expect === 'object') {
    assert.equal(typeof actual, 'number');
    assert.ok(Object.is(actual, SPECIAL_NUMBERS[expect.number]) || actual === SPECIAL_NUMBERS[expect.number]);
  } else if (typeof expect === 'number') {
    assert.equal(typeof actual, 'number', `expected a number, got ${typeof actual} ${actual}`);
    const tolerance = Math.max(1e-9 * Math.abs(expect), 1e-12);
    assert.ok(Math.abs(actual - expect) <= tolerance, `${actual} != ${expect}`);
  } else {
    assert.equal(actual, expect); // strict: a string or a boolean of the same type
  }
}

test('there are enough vectors', () => {
  assert.ok(VECTORS.cases.length >= 220);
  assert.equal(new Set(VECTORS.cases.map((c) => c.name)).size, VECTORS.cases.length);
});

describe('expression vectors', () => {
  for (const vector of VECTORS.cases) {
    test(vector.name, () => {
      const ctx = makeContext(vector.ctx ?? {});
      if ('error' in vector) {
        assert.throws(
          () => evaluate(parse(vector.expr), ctx),
          (error) => {
            assert.ok(error instanceof ExpressionError, String(error));
            assert.equal(error.code, vector.error);
            if ('position' in vector) assert.equal(error.position, vector.position);
            return true;
          },
        );
        return;
      }
      const ast = parse(vector.expr);
      assertResult(evaluate(ast, ctx), vector.expect);
      if ('refs' in vector) assert.deepEqual([...references(ast)].sort(), vector.refs);
    });
  }
});

test('evaluate accepts source text and defaults', () => {
  assert.equal(evaluate('1 + 1'), 2);
  assert.equal(evaluate('${x}', { values: { x: 'a' } }), 'a');
});
