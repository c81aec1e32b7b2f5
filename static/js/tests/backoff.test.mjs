// The sync loop's retry delays: growing, capped, and spread so phones do not retry in step.
import assert from 'node:assert/strict';
import { test } from 'node:test';

globalThis.window ??= { addEventListener() {} };
globalThis.document ??= { addEventListener() {} };
const { backoffDelay } = await import('../app/sync.js');

test('delays double per failure and never exceed fifteen minutes', () => {
  const lowest = [1, 2, 3, 4].map((attempt) => backoffDelay(attempt, () => 0));
  assert.deepEqual(lowest, [2000, 4000, 8000, 16000]);
  assert.equal(backoffDelay(30, () => 0.999999), 900000);
});

test('jitter spreads retries between half and all of the ceiling', () => {
  const delays = Array.from({ length: 200 }, (_, i) => backoffDelay(5, () => i / 200));
  assert.ok(Math.min(...delays) >= 32000 && Math.max(...delays) <= 64000);
  assert.ok(new Set(delays).size > 150);
});
