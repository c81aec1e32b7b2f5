// The form's rules in the browser: the JavaScript twin of app/forms/validation.py.
//
// Given a definition (FormDefinition.to_client()) and a payload in the shape the server
// receives, run() answers what the server would: errors with the same paths and codes, and the
// cleaned values. It also reports what the page needs to show: which fields are relevant and
// which choices a choice_filter allows. The steps, and their order, are the server's:
//   1. shape and types (unknown names, repeat shape, type_*, choice_unknown), values cleaned;
//   2. calculations, household first, then each member;
//   3. relevance top down; a hidden value is forgotten at once;
//   4. calculations again on the kept values; then required, constraint and choice_filter.
// tests: static/js/tests/form-engine.test.mjs runs the server's example payloads through it.

import { evaluate, parse, toBoolean, toString, DateValue } from './expression.js';
import { check as checkId, MESSAGES as ID_MESSAGES, normalize as normalizeId } from './idcard.js';

const INTEGER_TEXT = /^-?[0-9]+$/;
const DECIMAL_TEXT = /^-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$/;
const COORDINATE = /^-?[0-9]+(?:\.[0-9]+)?$/;

class BadValue extends Error {
  constructor(code) {
    super(code);
    this.code = code;
  }
}

/** Every field in document order with the repeat it lies in (null at household level). */
export function* walk(fields, repeat = null) {
  for (const field of fields) {
    yield [field, repeat];
    if (field.children) yield* walk(field.children, field.type === 'repeat' ? field.name : repeat);
  }
}

/** A field whose value comes from its calculation alone (no trigger: not a pre-fill). */
export const isComputed = (field) => field.calculation !== null && !field.trigger;

export function isRealDate(text) {
  if (typeof text !== 'string' || !/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(text)) return false;
  const [year, month, day] = text.split('-').map(Number);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= days[month - 1];
}

const isEmpty = (value) =>
  value === null || value === undefined || (Array.isArray(value) && value.length === 0) ||
  (typeof value === 'string' && value.trim() === '');

export class FormEngine {
  /** messages: {code: [zh, en]}, the server's standard messages (validation.MESSAGES). */
  constructor(definition, messages = {}) {
    this.definition = definition;
    this.messages = messages;
    this.scopes = new Map([[null, new Map()]]);
    for (const [field, repeat] of walk(definition.fields)) {
      if (field.type === 'repeat') this.scopes.set(field.name, new Map());
      if (field.type !== 'group' && field.type !== 'repeat') this.scopes.get(repeat).set(field.name, field);
    }
    this.asts = new Map();
  }

  ast(field, column) {
    const key = `${field.name}\u0000${column}`;
    if (!this.asts.has(key)) this.asts.set(key, parse(field[column]));
    return this.asts.get(key);
  }

  /** The server's verdict on a payload, plus relevance and allowed choices for the page. */
  run(payload, { today, lang = 'zh' } = {}) {
    return new Run(this, today, lang).run(payload);
  }

  /** The value a pre-fill (calculation + trigger) proposes, given the current values. */
  prefill(field, household, member, repeats, today) {
    const ctx = { values: household, repeat: member, repeats, today };
    try {
      return toString(evaluate(this.ast(field, 'calculation'), ctx));
    } catch {
      return '';
    }
  }
}

class Run {
  constructor(engine, today, lang) {
    this.engine = engine;
    this.today = today;
    this.lang = lang;
    this.errors = [];
    this.relevance = new Map(); // path -> boolean, for every field the walk reached
    this.allowedChoices = new Map(); // path -> Set of choice names a choice_filter lets through
    this.checks = []; // [field, path, member dict or null]
    this.badPaths = new Set();
    this.members = new Map();
    this.repeatValues = {};
  }

  run(payload) {
    const scopes = this.engine.scopes;
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
      this.error('', 'payload_type');
      return this.result({});
    }
    const repeatNames = [...scopes.keys()].filter((name) => name !== null);
    const household = this.read(payload, scopes.get(null), '', new Set(repeatNames));
    for (const repeat of repeatNames) this.members.set(repeat, this.readRepeat(payload[repeat], repeat));
    for (const [repeat, items] of this.members) this.repeatValues[repeat] = items.map(([, values]) => values);

    const calculated = [...scopes.get(null).values()].filter(isComputed).map((f) => [f, f.name, null]);
    for (const [repeat, instances] of this.members) {
      for (const [index, member] of instances) {
        for (const field of scopes.get(repeat).values()) {
          if (isComputed(field)) calculated.push([field, `${repeat}[${index}].${field.name}`, member]);
        }
      }
    }
    this.calculate(calculated, household);
    const cleaned = {};
    this.keepRelevant(this.engine.definition.fields, household, null, cleaned, '');
    for (const repeat of this.members.keys()) this.repeatValues[repeat] = cleaned[repeat] ?? [];
    const again = this.checks.filter(([field]) => isComputed(field));
    again.sort((a, b) => Number(a[2] !== null) - Number(b[2] !== null));
    this.calculate(again, cleaned);
    for (const [field, path, member] of this.checks) {
      if (!this.badPaths.has(path)) this.check(field, path, cleaned, member);
    }
    return this.result(cleaned);
  }

  result(cleaned) {
    return { errors: this.errors, cleaned, relevance: this.relevance, allowedChoices: this.allowedChoices };
  }

  // -- 1. shape and types

  read(raw, fields, prefix, extra = new Set()) {
    const values = {};
    for (const [name, value] of Object.entries(raw)) {
      const field = fields.get(name);
      if (field === undefined) {
        if (!extra.has(name)) this.error(prefix + name, 'field_unknown');
      } else if (field.type !== 'note' && !isComputed(field) && !isEmpty(value)) {
        try {
          values[name] = this.coerce(field, value);
        } catch (bad) {
          if (!(bad instanceof BadValue)) throw bad;
          this.error(prefix + name, bad.code);
          this.badPaths.add(prefix + name);
        }
      }
    }
    return values;
  }

  readRepeat(raw, repeat) {
    if (raw === null || raw === undefined) return [];
    if (!Array.isArray(raw)) {
      this.error(repeat, 'repeat_type');
      return [];
    }
    const instances = [];
    raw.forEach((item, index) => {
      if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
        instances.push([index, this.read(item, this.engine.scopes.get(repeat), `${repeat}[${index}].`)]);
      } else {
        this.error(`${repeat}[${index}]`, 'repeat_type');
      }
    });
    return instances;
  }

  coerce(field, raw) {
    const value = typeof raw === 'string' ? raw.trim() : raw;
    switch (field.type) {
      case 'text':
        if (typeof value !== 'string') throw new BadValue('type_text');
        return field.id_number ? normalizeId(value) : value;
      case 'integer':
        if (typeof value === 'string' && INTEGER_TEXT.test(value)) return Number.parseInt(value, 10);
        if (typeof value === 'number' && Number.isInteger(value)) return value;
        throw new BadValue('type_integer');
      case 'decimal':
        if (typeof value === 'string' && DECIMAL_TEXT.test(value)) return Number.parseFloat(value);
        if (typeof value === 'number' && Number.isFinite(value)) return value;
        throw new BadValue('type_decimal');
      case 'date':
        if (!isRealDate(value)) throw new BadValue('type_date');
        return value;
      case 'select_one':
        return this.choiceNames(field, [value])[0];
      case 'select_multiple': {
        const items = typeof value === 'string' ? value.split(/\s+/).filter(Boolean) : value;
        if (!Array.isArray(items)) throw new BadValue('type_select');
        return [...new Set(this.choiceNames(field, items))].join(' ');
      }
      case 'geopoint':
        return geopoint(value);
      default:
        return value;
    }
  }

  choiceNames(field, values) {
    const names = new Set(this.engine.definition.choices[field.list_name].map((choice) => choice.name));
    return values.map((value) => {
      if (typeof value !== 'string' && !(typeof value === 'number' && Number.isInteger(value))) {
        throw new BadValue('type_select');
      }
      const name = String(value).trim();
      if (!names.has(name)) throw new BadValue('choice_unknown');
      return name;
    });
  }

  // -- 2. calculations

  calculate(calculated, household) {
    for (const [field, path, member] of calculated) {
      const values = member === null ? household : member;
      const ctx = { values: household, repeat: member, repeats: this.repeatValues, today: this.today };
      const value = this.computed(field, this.evaluate(field, 'calculation', ctx, path));
      if (value === null) delete values[field.name];
      else values[field.name] = value;
    }
  }

  computed(field, value) {
    if (field.type === 'calculate') {
      if (typeof value === 'number') return Number.isFinite(value) ? value : null;
      if (value instanceof DateValue) return value.toString();
      return value === '' || value === null || value === undefined ? null : value;
    }
    if (value === null || value === undefined || toString(value) === '') return null;
    try {
      return this.coerce(field, toString(value));
    } catch (bad) {
      if (bad instanceof BadValue) return null;
      throw bad;
    }
  }

  // -- 3. relevance

  keepRelevant(fields, household, member, out, prefix) {
    const values = member === null ? household : member;
    for (const field of fields) {
      const path = prefix + field.name;
      const ctx = { values: household, repeat: member, repeats: this.repeatValues, today: this.today };
      const hidden = field.relevant && this.verdict(field, 'relevant', ctx, path) === false;
      this.relevance.set(path, !hidden);
      if (hidden) {
        this.forget(field, values);
      } else if (field.type === 'group') {
        this.keepRelevant(field.children, household, member, out, prefix);
      } else if (field.type === 'repeat') {
        out[field.name] = [];
        for (const [index, instance] of this.members.get(field.name)) {
          const kept = {};
          this.keepRelevant(field.children, household, instance, kept, `${field.name}[${index}].`);
          out[field.name].push(kept);
        }
      } else if (field.type !== 'note') {
        if (field.name in values) out[field.name] = values[field.name];
        this.checks.push([field, path, member === null ? null : out]);
      }
    }
  }

  forget(field, values) {
    if (field.type === 'repeat') {
      this.members.set(field.name, []);
      this.repeatValues[field.name] = [];
    }
    delete values[field.name];
    if (field.type === 'group') for (const child of field.children) this.forget(child, values);
  }

  // -- 4. required, constraint, choice filter

  check(field, path, cleaned, member) {
    const value = (member === null ? cleaned : member)[field.name];
    const ctx = { values: cleaned, repeat: member, repeats: this.repeatValues, today: this.today, current: value };
    if (field.choice_filter) this.recordAllowedChoices(field, path, ctx);
    if (value === undefined) {
      if (field.required && this.verdict(field, 'required', ctx, path)) {
        this.error(path, 'required', field.required_message);
      }
      return;
    }
    if (field.constraint && this.verdict(field, 'constraint', ctx, path) === false) {
      this.error(path, 'constraint', this.idNumberProblem(field, value) ?? field.constraint_message);
    }
    if (field.choice_filter) {
      for (const name of String(value).split(/\s+/).filter(Boolean)) {
        if (this.verdict(field, 'choice_filter', { ...ctx, current: name }, path) === false) {
          this.error(path, 'choice_not_allowed');
          break;
        }
      }
    }
  }

  /** For an ID number, the rule it breaks (length, characters, check digit, date). */
  idNumberProblem(field, value) {
    if (!field.id_number) return null;
    const found = checkId(String(value), { today: this.today });
    return found.errors.length ? ID_MESSAGES[found.errors[0]] : null;
  }

  /** For the page only (no errors): the choices to offer. A filter that fails hides nothing. */
  recordAllowedChoices(field, path, ctx) {
    const allowed = new Set();
    for (const choice of this.engine.definition.choices[field.list_name]) {
      let keep = true;
      try {
        keep = toBoolean(evaluate(this.engine.ast(field, 'choice_filter'), { ...ctx, current: choice.name }));
      } catch {
        keep = true;
      }
      if (keep) allowed.add(choice.name);
    }
    this.allowedChoices.set(path, allowed);
  }

  // -- helpers

  evaluate(field, column, ctx, path) {
    try {
      return evaluate(this.engine.ast(field, column), ctx);
    } catch {
      this.error(path, 'expression_error');
      return null;
    }
  }

  verdict(field, column, ctx, path) {
    const value = this.evaluate(field, column, ctx, path);
    return value === null ? null : toBoolean(value);
  }

  error(path, code, own = {}) {
    if (this.errors.some((error) => error.path === path && error.code === code)) return;
    const [zh, en] = this.engine.messages[code] ?? ['', ''];
    const message = this.lang === 'en' ? own.en || en : own.zh || zh;
    this.errors.push({ path, code, message });
  }
}

function geopoint(value) {
  const parts = typeof value === 'string' ? value.split(/\s+/).filter(Boolean) : [];
  if (parts.length < 2 || parts.length > 4 || !parts.every((part) => COORDINATE.test(part))) {
    throw new BadValue('type_geopoint');
  }
  const numbers = parts.map(Number);
  if (Math.abs(numbers[0]) > 90 || Math.abs(numbers[1]) > 180 || (numbers.length === 4 && numbers[3] < 0)) {
    throw new BadValue('type_geopoint');
  }
  return parts.join(' ');
}
