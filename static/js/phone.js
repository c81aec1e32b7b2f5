// Mainland China mobile numbers in the browser: the same normalisation as
// app/common/phone.py and the pattern 1[3-9] + 9 digits. The server additionally asks
// `phonenumbers` whether the prefix is allocated to a mobile network (154 is not, for
// example), so a rare number accepted here can still be flagged after sync.

import { BLANKS, removeChars, toHalfWidth } from './idcard.js';

export const MESSAGES = {
  phone_invalid: { zh: '请填写11位手机号码', en: 'Enter an 11-digit mainland mobile number' },
};

const SEPARATORS = `${BLANKS}-`;
const COUNTRY_PREFIXES = ['+86', '0086'];
const MOBILE = /^1[3-9][0-9]{9}$/;

/** Half-width digits without blanks, dashes or a +86 / 0086 country prefix. */
export function normalize(raw) {
  const value = removeChars(toHalfWidth(raw), SEPARATORS);
  const prefix = COUNTRY_PREFIXES.find((candidate) => value.startsWith(candidate));
  return prefix === undefined ? value : value.slice(prefix.length);
}

/** {value, errors: [] | ['phone_invalid'], valid} */
export function check(raw) {
  const value = normalize(raw);
  const errors = MOBILE.test(value) ? [] : ['phone_invalid'];
  return { value, errors, valid: errors.length === 0 };
}

/** Hide the middle of a number for lists: 138****5678. */
export function mask(raw) {
  const chars = Array.from(normalize(raw));
  if (chars.length <= 7) return '*'.repeat(chars.length);
  return chars.slice(0, 3).join('') + '*'.repeat(chars.length - 7) + chars.slice(-4).join('');
}
