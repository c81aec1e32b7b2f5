// Resident ID and mobile-number rules in the browser. The numbers and expected results are
// the same as in tests/common/test_idcard.py and tests/common/test_phone.py; the expression
// vectors cross-check id-valid(), id-sex() and id-birthdate() against the server too.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { check, mask, normalize } from '../idcard.js';
import * as phone from '../phone.js';

const TODAY = '2024-06-15';
const MALE = '350524199001011238';
const FEMALE = '350524198506120021';
const WITH_X = '35052419880715003X';
const GB_EXAMPLE = '11010519491231002X';

describe('resident ID number', () => {
  test('a valid number gives birth date and sex', () => {
    assert.deepEqual(check(MALE, { today: TODAY }), {
      value: MALE,
      errors: [],
      warnings: [],
      birthDate: '1990-01-01',
      sex: '1',
      valid: true,
    });
    const female = check(FEMALE, { today: TODAY });
    assert.deepEqual([female.birthDate, female.sex], ['1985-06-12', '2']);
  });

  test('an X check digit is valid', () => {
    assert.ok(check(WITH_X, { today: TODAY }).valid);
    assert.ok(check(GB_EXAMPLE, { today: TODAY }).valid);
  });

  test('a lowercase x is normalised', () => {
    const result = check(WITH_X.toLowerCase(), { today: TODAY });
    assert.ok(result.valid);
    assert.equal(result.value, WITH_X);
  });

  test('full-width digits and blanks are normalised', () => {
    const fullWidth = '３５０５２４　１９９００１０１　１２３８';
    assert.equal(normalize(fullWidth), MALE);
    assert.ok(check(fullWidth, { today: TODAY }).valid);
    assert.equal(normalize(`\ufeff ${MALE.slice(0, 6)} ${MALE.slice(6)}\n`), MALE);
    assert.equal(normalize('35052419880715003ｘ'), WITH_X);
  });

  test('a bad checksum is an error and derives nothing', () => {
    const result = check(`${MALE.slice(0, 17)}9`, { today: TODAY });
    assert.deepEqual(result.errors, ['id_checksum']);
    assert.deepEqual([result.birthDate, result.sex, result.valid], [null, null, false]);
  });

  for (const [raw, errors] of [
    [MALE.slice(0, 17), ['id_length']],
    [`${MALE}1`, ['id_length']],
    ['', ['id_length']],
    ['110105491231002', ['id_length']],
    ['ABCDEFGHIJKLMNOPQR', ['id_chars']],
    [`${MALE.slice(0, 16)}X${MALE[17]}`, ['id_chars']],
    ['12345-abc', ['id_length', 'id_chars']],
    ['350524199001011𠀀38', ['id_chars']], // 18 code points, one outside the BMP
  ]) {
    test(`length and characters: ${JSON.stringify(raw)}`, () => {
      assert.deepEqual(check(raw, { today: TODAY }).errors, errors);
    });
  }

  test('an impossible birth date (1999-02-30) is an error', () => {
    const result = check('350524199902301232', { today: TODAY });
    assert.deepEqual(result.errors, ['id_birthdate']);
    assert.equal(result.birthDate, null);
  });

  test('a future birth date is an error, today is fine', () => {
    assert.ok(check('35052420240615002X', { today: TODAY }).valid);
    assert.deepEqual(check('350524202406160025', { today: TODAY }).errors, ['id_birthdate']);
    assert.ok(check('350524202406160025', { today: '2024-06-16' }).valid);
  });

  test('a leap-day birth', () => {
    assert.equal(check('350524200002290043', { today: TODAY }).birthDate, '2000-02-29');
  });

  test('the area code is not checked in the browser (the server warns)', () => {
    const result = check('990101199001010019', { today: TODAY });
    assert.ok(result.valid);
    assert.deepEqual(result.warnings, []);
  });

  test('mask keeps the first six and last four', () => {
    assert.equal(mask(MALE), '350524********1238');
    assert.equal(mask(WITH_X.toLowerCase()), '350524********003X');
    assert.equal(mask('１２３４５'), '*****');
  });
});

describe('mobile phone number', () => {
  for (const raw of [
    '13812345678',
    ' 138 1234 5678 ',
    '138-1234-5678',
    '+86 138 1234 5678',
    '+8613812345678',
    '0086-138-1234-5678',
    '１３８１２３４５６７８',
    '＋８６　１３８１２３４５６７８',
  ]) {
    test(`valid: ${JSON.stringify(raw)}`, () => {
      assert.deepEqual(phone.check(raw), { value: '13812345678', errors: [], valid: true });
    });
  }

  const invalid = ['', '1381234567', '138123456789', '12345678901', '8613812345678', '0595-23456789', '1381234567x'];
  for (const raw of invalid) {
    test(`invalid: ${JSON.stringify(raw)}`, () => {
      assert.deepEqual(phone.check(raw).errors, ['phone_invalid']);
    });
  }

  test('an unallocated prefix passes the pattern (the server flags it)', () => {
    assert.ok(phone.check('15412345678').valid);
  });

  test('mask keeps the first three and last four', () => {
    assert.equal(phone.mask('13812345678'), '138****5678');
    assert.equal(phone.mask('+86 138 1234 5678'), '138****5678');
    assert.equal(phone.mask('12345'), '*****');
  });
});
