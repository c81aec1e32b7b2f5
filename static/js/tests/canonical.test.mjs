// The shared canonical-JSON vectors, run against the browser's implementation.
// tests/sync/test_canonical.py runs the same file against sync/canonical.py, so a payload the
// phone hashes gets the same hash when the server checks it.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';

import { canonicalJson, contentHash } from '../canonical.js';

const VECTORS = JSON.parse(
  readFileSync(new URL('../../../sync/canonical_vectors.json', import.meta.url), 'utf8'),
);

describe('canonical JSON vectors', () => {
  test('there are enough of them', () => {
    assert.ok(VECTORS.length >= 40);
  });
  for (const vector of VECTORS) {
    test(vector.name, async () => {
      assert.equal(canonicalJson(vector.value), vector.canonical);
      assert.equal(await contentHash(vector.value), vector.content_hash);
    });
  }
});

describe('what JSON.stringify would write', () => {
  test('undefined properties are left out and undefined elements become null', () => {
    assert.equal(canonicalJson({ b: undefined, a: [undefined, 1] }), '{"a":[null,1]}');
  });
  test('a Date is written through toJSON', () => {
    assert.equal(canonicalJson({ at: new Date(Date.UTC(2026, 10, 23)) }), '{"at":"2026-11-23T00:00:00.000Z"}');
  });
  test('NaN and Infinity are refused, not written as null', () => {
    assert.throws(() => canonicalJson({ a: NaN }), TypeError);
    assert.throws(() => canonicalJson([Infinity]), TypeError);
    assert.throws(() => canonicalJson(undefined), TypeError);
  });
});
