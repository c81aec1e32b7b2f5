// Values and conversions (XPath 1.0 rules, see app/forms/expression/__init__.py). Values are
// strings, numbers, booleans and DateValue.
import { ExpressionError } from './common.js';

/** A calendar date, held as whole days since 1970-01-01 (no time zone can shift it). */
export class DateValue {
  constructor(days) {
    this.days = days;
  }

  toString() {
    return isoFromDays(this.days);
  }
}

const MIN_DAYS = daysFromCivil(1, 1, 1);
const MAX_DAYS = daysFromCivil(9999, 12, 31);
const NUMBER_TEXT = /^[ \t\r\n]*-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[ \t\r\n]*$/;
const ISO_DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;

// Days since 1970-01-01 of a proleptic Gregorian date, and back: the era-based algorithms
// from Howard Hinnant's "chrono-Compatible Low-Level Date Algorithms". Built-in Date objects
// are avoided because they carry a time zone.
export function daysFromCivil(year, month, day) {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

export function civilFromDays(days) {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const leapCorrection = Math.floor(dayOfEra / 1460) - Math.floor(dayOfEra / 36524) + Math.floor(dayOfEra / 146096);
  const yearOfEra = Math.floor((dayOfEra - leapCorrection) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1;
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  return [yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

export const pad = (number, width) => String(number).padStart(width, '0');

export function isoFromDays(days) {
  const [year, month, day] = civilFromDays(days);
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

export function parseIsoDate(text) {
  const match = ISO_DATE.exec(text);
  if (match === null) return null;
  const [year, month, day] = match.slice(1).map(Number);
  const days = daysFromCivil(year, month, day);
  // An impossible date (2023-02-29, month 13) does not survive the round trip.
  if (year < 1 || month < 1 || month > 12 || isoFromDays(days) !== text) return null;
  return new DateValue(days);
}

export function fromDays(days) {
  if (!Number.isFinite(days)) return null;
  const whole = Math.floor(days);
  return whole >= MIN_DAYS && whole <= MAX_DAYS ? new DateValue(whole) : null;
}

export function toNumber(value) {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number') return value;
  if (value instanceof DateValue) return value.days;
  if (NUMBER_TEXT.test(value)) return Number(value);
  const date = parseIsoDate(value);
  return date === null ? NaN : date.days;
}

export function toString(value) {
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return formatNumber(value);
  if (value instanceof DateValue) return value.toString();
  return value;
}

export function toBoolean(value) {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return !(value === 0 || Number.isNaN(value));
  if (value instanceof DateValue) return true;
  return value !== '';
}

/** A date from a date, a YYYY-MM-DD string or a number of days since 1970-01-01. */
export function toDate(value) {
  if (value instanceof DateValue) return value;
  if (typeof value === 'boolean') return null;
  if (typeof value === 'number') return fromDays(value);
  return parseIsoDate(value);
}

// String(x) splits into digits and an exponent; the exponent form appears only below 1e-6
// for non-integers (integers are printed through BigInt).
const EXPONENT_FORM = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/;

function formatNumber(value) {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  if (Number.isInteger(value)) return BigInt(value).toString();
  const text = String(value);
  const match = EXPONENT_FORM.exec(text);
  if (match === null) return text;
  const [, sign, whole, fraction = '', exponent] = match;
  return `${sign}0.${'0'.repeat(-Number(exponent) - whole.length)}${whole}${fraction}`;
}

export function fromJson(value, name) {
  if (Array.isArray(value)) return value.map((item) => toString(scalarFromJson(item, name))).join(' ');
  return scalarFromJson(value, name);
}

function scalarFromJson(value, name) {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean' || typeof value === 'string' || typeof value === 'number') return value;
  throw new ExpressionError('expr_value', `field ${name} holds an unsupported ${typeof value} value`);
}
