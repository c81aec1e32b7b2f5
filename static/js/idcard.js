// Resident ID numbers (公民身份号码, GB 11643-1999) in the browser: the same normalisation
// and hard errors as app/common/idcard.py, so that an enumerator hears about a mistyped
// number while still in the household, offline.
//
// Not checked here: whether the 6-digit address code is in the area-code table. That is only
// ever a warning ("id_area_unknown") and the server adds it when the submission arrives,
// from python-stdnum's table, which is too large to ship to every phone.

export const MESSAGES = {
  id_length: { zh: '身份证号码应为18位', en: 'The ID number must have 18 characters' },
  id_chars: {
    zh: '身份证号码只能是数字，最后一位可以是X',
    en: 'The ID number may only contain digits; the last character may be X',
  },
  id_checksum: {
    zh: '身份证号码校验位不对，请逐位核对',
    en: "The ID number's check digit is wrong; please check every digit",
  },
  id_birthdate: {
    zh: '身份证号码中的出生日期不存在或晚于今天',
    en: 'The birth date inside the ID number does not exist or lies in the future',
  },
  id_area_unknown: {
    zh: '身份证号码的地址码不在区划代码表中（仅提示，可以登记）',
    en: "The ID number's address code is not in the area-code table (a warning only)",
  },
};

// The same blanks as app/common/__init__.py: ASCII whitespace, no-break space, zero-width
// space, ideographic space and a byte-order mark left over from a pasted CSV cell.
export const BLANKS = ' \t\r\n\u00a0\u200b\u3000\ufeff';

/** Turn full-width digits, letters and punctuation (U+FF01..U+FF5E) into ASCII. */
export function toHalfWidth(text) {
  return text.replace(/[\uff01-\uff5e]/g, (char) => String.fromCharCode(char.charCodeAt(0) - 0xfee0));
}

export function removeChars(text, chars) {
  return Array.from(text)
    .filter((char) => !chars.includes(char))
    .join('');
}

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS = '10X98765432';
const ID_CHARS = /^[0-9]*X?$/;

/** Half-width, blanks removed, upper case (a lowercase x check digit becomes X). */
export function normalize(raw) {
  return removeChars(toHalfWidth(raw), BLANKS).toUpperCase();
}

function checkDigit(number) {
  const sum = WEIGHTS.reduce((total, weight, i) => total + weight * Number(number[i]), 0);
  return CHECK_CHARS[sum % 11];
}

function isRealDate(year, month, day) {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const daysInMonth = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth[month - 1];
}

function localToday() {
  const now = new Date();
  const pad = (number) => String(number).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/**
 * Validate a number: {value, errors, warnings, birthDate: 'YYYY-MM-DD' | null, sex: '1' | '2' | null,
 * valid}. Birth date and sex are derived only from a number without errors.
 * options.today ('YYYY-MM-DD', default the device's date) bounds the birth date.
 */
export function check(raw, { today = localToday() } = {}) {
  const value = normalize(raw);
  const result = (errors, birthDate = null, sex = null) => ({
    value,
    errors,
    warnings: [],
    birthDate,
    sex,
    valid: errors.length === 0,
  });
  const errors = [];
  if (Array.from(value).length !== 18) errors.push('id_length');
  if (!ID_CHARS.test(value)) errors.push('id_chars');
  if (errors.length) return result(errors);
  if (value[17] !== checkDigit(value)) errors.push('id_checksum');
  const [year, month, day] = [value.slice(6, 10), value.slice(10, 12), value.slice(12, 14)].map(Number);
  const birthDate = `${value.slice(6, 10)}-${value.slice(10, 12)}-${value.slice(12, 14)}`;
  // Both are zero-padded YYYY-MM-DD, so comparing the text compares the dates.
  if (!isRealDate(year, month, day) || birthDate > today) errors.push('id_birthdate');
  if (errors.length) return result(errors);
  return result([], birthDate, Number(value[16]) % 2 ? '1' : '2');
}

/** Hide the middle of a number for lists: 350524********1234. */
export function mask(raw) {
  const chars = Array.from(normalize(raw));
  if (chars.length <= 10) return '*'.repeat(chars.length);
  return chars.slice(0, 6).join('') + '*'.repeat(chars.length - 10) + chars.slice(-4).join('');
}
