// Binds a server-rendered survey form (templates/forms/_fields.html) to the form engine:
// after every change it asks the engine what the server would say, then shows and hides
// questions, fills calculated and pre-filled answers, offers only the allowed choices, and
// puts each error next to its field. The engine holds the rules; this file only touches the DOM.

import { FormEngine, walk } from './form-engine.js';

const form = document.querySelector('[data-survey]');
const { definition, messages } = JSON.parse(document.getElementById('form-definition').textContent);
const engine = new FormEngine(definition, messages);
const lang = form.dataset.lang || 'zh';
const csrf = document.querySelector('meta[name="csrf-token"]')?.content ?? '';
const text = (key, params = {}) =>
  (form.dataset[key] ?? '').replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ''));

const inputs = [...walk(definition.fields)].filter(
  ([field]) => !['group', 'repeat', 'note'].includes(field.type),
);
const repeats = [...walk(definition.fields)].filter(([field]) => field.type === 'repeat').map(([f]) => f);
const touched = new Set();
const lastTrigger = new Map(); // path of a pre-filled field -> trigger value it was filled from
const changeListeners = [];
let submitHandler = null;
let submitted = false;

function localToday() {
  const now = new Date();
  const pad = (number) => String(number).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

// ---- where things are in the DOM -------------------------------------------------------------

const instancesOf = (repeat) =>
  [...form.querySelector(`[data-instances="${repeat}"]`).children].filter((el) => el.matches('[data-instance]'));

function scopeElement(scope, name) {
  // Household fields live outside every instance; a member's inside its instance.
  const candidates = scope.querySelectorAll(`[data-field="${name}"]`);
  return [...candidates].find((el) => el.closest('[data-instance]') === (scope === form ? null : scope));
}

function readValue(wrapper) {
  if (!wrapper) return '';
  const control = wrapper.matches('[data-input]') ? wrapper : wrapper.querySelector('[data-input]');
  if (!control) return '';
  if (control.matches('.choices')) {
    const checked = [...control.querySelectorAll('input:checked')].map((input) => input.value);
    return checked.join(' ');
  }
  return control.value ?? control.textContent ?? '';
}

function writeValue(wrapper, value) {
  if (!wrapper) return;
  const control = wrapper.matches('[data-input]') ? wrapper : wrapper.querySelector('[data-input]');
  if (!control) return;
  const shown = value === undefined || value === null ? '' : String(value);
  if (control.matches('.choices')) {
    const chosen = new Set(shown.split(' ').filter(Boolean));
    for (const input of control.querySelectorAll('input')) input.checked = chosen.has(input.value);
  } else if (control.tagName === 'OUTPUT') {
    control.textContent = shown;
  } else if (control.value !== shown) {
    control.value = shown;
  }
}

function collect() {
  const payload = {};
  for (const [field, repeat] of inputs) {
    if (repeat !== null) continue;
    const value = readValue(scopeElement(form, field.name));
    if (value !== '') payload[field.name] = value;
  }
  for (const repeat of repeats) {
    payload[repeat.name] = instancesOf(repeat.name).map((instance) => {
      const member = {};
      for (const [field, inside] of inputs) {
        if (inside !== repeat.name) continue;
        const value = readValue(scopeElement(instance, field.name));
        if (value !== '') member[field.name] = value;
      }
      return member;
    });
  }
  return payload;
}

// ---- pre-fills: a field with calculation + trigger is filled when its trigger changes -----

/** Note every pre-fill's current trigger value, so that renumbering members fills nothing anew. */
function rememberTriggers() {
  lastTrigger.clear();
  const payload = collect();
  for (const [field] of inputs) {
    if (!field.trigger || !field.calculation) continue;
    const triggerName = field.trigger.replace(/^\$\{|\}$/g, '');
    if (field.repeat === null) {
      lastTrigger.set(field.name, payload[triggerName] ?? '');
    } else {
      (payload[field.repeat] ?? []).forEach((member, index) =>
        lastTrigger.set(`${field.repeat}[${index}].${field.name}`, member[triggerName] ?? ''));
    }
  }
}

function applyPrefills(payload, today) {
  const scopes = [[form, null, '']];
  for (const repeat of repeats) {
    instancesOf(repeat.name).forEach((instance, index) =>
      scopes.push([instance, payload[repeat.name][index], `${repeat.name}[${index}].`]));
  }
  let changed = false;
  for (const [field] of inputs) {
    if (!field.trigger || !field.calculation) continue;
    const triggerName = field.trigger.replace(/^\$\{|\}$/g, '');
    for (const [scope, member, prefix] of scopes) {
      if ((field.repeat === null) !== (member === null)) continue;
      const source = (member ?? payload)[triggerName] ?? '';
      const path = prefix + field.name;
      if (lastTrigger.get(path) === source) continue;
      lastTrigger.set(path, source);
      // The payload doubles as the map of repeats that count() reads.
      const proposed = engine.prefill(field, payload, member, payload, today);
      if (proposed !== '') {
        writeValue(scopeElement(scope, field.name), proposed);
        changed = true;
      }
    }
  }
  return changed;
}

// ---- defaults: a literal, or today(), put in when a household or a member is started ---------

function applyDefaults(scope, repeat) {
  for (const [field, inside] of inputs) {
    if (inside !== repeat || field.default === null || field.calculation) continue;
    const wrapper = scopeElement(scope, field.name);
    if (readValue(wrapper) === '') writeValue(wrapper, field.default === 'today()' ? localToday() : field.default);
  }
}

// ---- showing the engine's verdict ------------------------------------------------------------

function pathOf(element) {
  const instance = element.closest('[data-instance]');
  const name = element.dataset.field;
  if (!instance) return name;
  const repeat = instance.closest('[data-repeat]').dataset.repeat;
  return `${repeat}[${instancesOf(repeat).indexOf(instance)}].${name}`;
}

function show(result) {
  const errors = new Map();
  for (const error of result.errors) if (!errors.has(error.path)) errors.set(error.path, error);

  for (const element of form.querySelectorAll('[data-field]')) {
    const path = pathOf(element);
    const relevant = result.relevance.get(path);
    if (relevant !== undefined) element.hidden = !relevant;
    const allowed = result.allowedChoices.get(path);
    for (const choice of element.querySelectorAll('[data-choice]')) {
      choice.hidden = allowed !== undefined && !allowed.has(choice.dataset.choice);
    }
    const box = element.querySelector(':scope > [data-error-for]');
    if (!box) continue;
    const error = errors.get(path);
    const visible = error && (submitted || touched.has(path));
    box.hidden = !visible;
    box.textContent = visible ? error.message : '';
    element.classList.toggle('invalid', Boolean(visible));
  }
  for (const repeat of repeats) {
    instancesOf(repeat.name).forEach((instance, index) => {
      const values = result.cleaned[repeat.name]?.[index] ?? {};
      for (const [field, inside] of inputs) {
        if (inside === repeat.name && field.calculation && !field.trigger) {
          writeValue(scopeElement(instance, field.name), values[field.name]);
        }
      }
    });
  }
  for (const [field, inside] of inputs) {
    if (inside === null && field.calculation && !field.trigger) {
      writeValue(scopeElement(form, field.name), result.cleaned[field.name]);
    }
  }
  showProgress(result);
  return errors;
}

function showProgress(result) {
  const missing = result.errors.filter((error) => error.code === 'required').length;
  let answered = 0;
  const count = (values, scope) => {
    for (const [field, inside] of inputs) {
      if (inside === scope && field.required && values[field.name] !== undefined && !field.calculation) answered += 1;
    }
  };
  count(result.cleaned, null);
  for (const repeat of repeats) for (const member of result.cleaned[repeat.name] ?? []) count(member, repeat.name);
  const total = answered + missing;
  form.querySelector('[data-progress-bar]').style.width = `${total ? Math.round((answered / total) * 100) : 0}%`;
  form.querySelector('[data-progress-text]').textContent = text('msgProgress', { done: answered, total });
}

// ---- repeats ---------------------------------------------------------------------------------

const INDEXED_ATTRIBUTES = ['name', 'id', 'for'];

function renumber(repeat) {
  instancesOf(repeat).forEach((instance, index) => {
    instance.querySelector('[data-instance-number]').textContent = String(index + 1);
    for (const element of instance.querySelectorAll('[data-indexed]')) {
      for (const attribute of INDEXED_ATTRIBUTES) {
        const pattern = element.dataset[`pattern${attribute}`];
        if (pattern) element.setAttribute(attribute, pattern.replaceAll('#', index));
      }
    }
  });
}

function addInstance(repeat) {
  const template = form.querySelector(`template[data-template="${repeat}"]`);
  const instance = template.content.firstElementChild.cloneNode(true);
  // Names and ids carry the member's index ("members[#].sex"); keep the pattern to renumber.
  for (const element of instance.querySelectorAll('[name], [id], [for]')) {
    for (const attribute of INDEXED_ATTRIBUTES) {
      const value = element.getAttribute(attribute);
      if (value && value.includes('#')) {
        element.dataset[`pattern${attribute}`] = value;
        element.dataset.indexed = '';
      }
    }
  }
  form.querySelector(`[data-instances="${repeat}"]`).append(instance);
  renumber(repeat);
  applyDefaults(instance, repeat);
  return instance;
}

// ---- the loop --------------------------------------------------------------------------------

function refresh() {
  const today = localToday();
  let payload = collect();
  if (applyPrefills(payload, today)) payload = collect();
  let result = engine.run(payload, { today, lang });
  // A repeat that has just become relevant starts with one member to fill in.
  for (const repeat of repeats) {
    if (result.relevance.get(repeat.name) && instancesOf(repeat.name).length === 0) {
      addInstance(repeat.name);
      payload = collect();
      result = engine.run(payload, { today, lang });
    }
  }
  const errors = show(result);
  for (const listener of changeListeners) listener(payload);
  return { payload, result, errors };
}

function markTouched(target) {
  const wrapper = target.closest('[data-field]');
  if (wrapper) touched.add(pathOf(wrapper));
}

form.addEventListener('input', (event) => {
  const wrapper = event.target.closest('[data-field]');
  // ID numbers are checked as they are typed, once all 18 characters are in.
  if (wrapper?.dataset.idNumber !== undefined && event.target.value.replace(/\s/g, '').length >= 18) {
    markTouched(event.target);
  }
  refresh();
});
form.addEventListener('change', (event) => {
  markTouched(event.target);
  refresh();
});
form.addEventListener('focusout', (event) => {
  markTouched(event.target);
  refresh();
});

form.addEventListener('click', (event) => {
  const button = event.target.closest('[data-action]');
  if (!button) return;
  const action = button.dataset.action;
  if (action === 'add-instance') {
    addInstance(button.dataset.repeatName).querySelector('input, select, textarea')?.focus();
  } else if (action === 'remove-instance') {
    const instance = button.closest('[data-instance]');
    const repeat = instance.closest('[data-repeat]').dataset.repeat;
    instance.remove();
    touched.clear();
    renumber(repeat);
    rememberTriggers();
  } else if (action === 'type-x') {
    const input = button.closest('[data-field]').querySelector('input');
    input.value += 'X';
    input.dispatchEvent(new Event('input', { bubbles: true }));
    input.focus();
    return;
  } else if (action === 'locate') {
    locate(button.closest('[data-field]').querySelector('input'));
    return;
  } else {
    return;
  }
  refresh();
});

function locate(input) {
  if (!navigator.geolocation) return;
  navigator.geolocation.getCurrentPosition((position) => {
    const { latitude, longitude, altitude, accuracy } = position.coords;
    input.value = [latitude.toFixed(6), longitude.toFixed(6), (altitude ?? 0).toFixed(1), accuracy.toFixed(1)].join(' ');
    input.dispatchEvent(new Event('change', { bubbles: true }));
  }, () => {}, { enableHighAccuracy: true, timeout: 20000 });
}

document.querySelector('[data-action="switch-village"]')?.addEventListener('change', (event) => {
  const url = new URL(window.location.href);
  url.searchParams.set('village', event.target.value);
  window.location.assign(url.toString());
});

function showStatus(message, isError) {
  const summary = form.querySelector('[data-form-summary]');
  const status = form.querySelector('[data-form-status]');
  summary.hidden = !isError;
  status.hidden = isError;
  (isError ? summary : status).textContent = message;
}

function showServerVerdict(verdict) {
  for (const warning of verdict.warnings) {
    const element = [...form.querySelectorAll('[data-field]')].find((el) => pathOf(el) === warning.path);
    const box = element?.querySelector(':scope > [data-warning-for]');
    if (box) {
      box.hidden = false;
      box.textContent = warning.message;
    }
  }
  if (verdict.valid) {
    showStatus(text('msgServerOk'), false);
  } else {
    showStatus(text('msgServerErrors', { errors: verdict.errors.map((e) => `${e.path}: ${e.message}`).join('；') }), true);
  }
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  submitted = true;
  const { payload, result, errors } = refresh();
  if (result.errors.length) {
    showStatus(text('msgErrors', { n: errors.size }), true);
    form.querySelector('.field.invalid input, .field.invalid select, .field.invalid textarea')?.focus();
    return;
  }
  if (submitHandler) {
    await submitHandler(payload);
    return;
  }
  const url = form.dataset.checkUrl;
  if (!url) {
    showStatus(text('msgPreviewOk'), false);
    return;
  }
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify(payload),
      credentials: 'same-origin',
    });
    if (!response.ok) throw new Error(String(response.status));
    showServerVerdict(await response.json());
  } catch {
    showStatus(text('msgOffline'), true);
  }
});

/** Put a saved payload back on the page (a draft reopened, a record returned for correction). */
function load(payload) {
  for (const [field, repeat] of inputs) {
    if (repeat === null && payload[field.name] !== undefined) writeValue(scopeElement(form, field.name), payload[field.name]);
  }
  applyDefaults(form, null);
  for (const repeat of repeats) {
    for (const instance of instancesOf(repeat.name)) instance.remove();
    for (const member of payload[repeat.name] ?? []) {
      const instance = addInstance(repeat.name);
      for (const [field, inside] of inputs) {
        if (inside === repeat.name && member[field.name] !== undefined) {
          writeValue(scopeElement(instance, field.name), member[field.name]);
        }
      }
    }
  }
  rememberTriggers();
  return refresh();
}

/** For the offline app (static/js/app/draft.js): save as typed, and take over "submit". */
export const survey = {
  load,
  /** Show notes (the supervisor's per-field comments) next to the fields they are about. */
  showNotes(notes) {
    for (const element of form.querySelectorAll('[data-field]')) {
      const note = notes[pathOf(element)];
      const box = element.querySelector(':scope > [data-warning-for]');
      if (note && box) {
        box.hidden = false;
        box.textContent = note;
      }
    }
  },
  refresh,
  showStatus,
  onChange: (listener) => changeListeners.push(listener),
  onSubmit: (handler) => { submitHandler = handler; },
  markErrors(errors) {
    submitted = true;
    const { result } = refresh();
    const known = new Set(result.errors.map((error) => error.path));
    const others = errors.filter((error) => !known.has(error.path));
    if (others.length) showStatus(others.map((e) => `${e.path}: ${e.message}`).join('；'), true);
  },
};

if (form.dataset.villageCode) writeValue(scopeElement(form, 'village_code'), form.dataset.villageCode);
applyDefaults(form, null);
refresh();
form.querySelector('[data-submit]').disabled = false;
