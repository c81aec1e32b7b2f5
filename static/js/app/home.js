// The enumerator's home in the offline app: login, my villages and targets, drafts, outbox,
// returned and refused records, sync status, storage status, and app updates.
import * as api from './api.js';
import * as db from './db.js';
import * as records from './records.js';
import * as sync from './sync.js';

const TEXT = JSON.parse(document.getElementById('app-text').textContent);
const $ = (selector) => document.querySelector(selector);
const fill = (template, params) => template.replace(/\{(\w+)\}/g, (_, key) => String(params[key] ?? ''));

// ---- service worker and updates -------------------------------------------------------------

async function registerServiceWorker() {
  if (!('serviceWorker' in navigator)) return;
  const registration = await navigator.serviceWorker.register('/app/sw.js', { scope: '/app' });
  const offerUpdate = () => { if (registration.waiting && navigator.serviceWorker.controller) $('[data-update-banner]').hidden = false; };
  offerUpdate();
  registration.addEventListener('updatefound', () => {
    registration.installing?.addEventListener('statechange', offerUpdate);
  });
  // Reload only when the person asked for the new version: the very first worker also takes
  // control of this page (clients.claim), and that must not reload a half-typed login.
  let updating = false;
  $('[data-action="reload-app"]').addEventListener('click', () => {
    updating = true;
    registration.waiting?.postMessage('skip-waiting');
  });
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (updating) window.location.reload();
  });
}

// ---- login and logout -----------------------------------------------------------------------

function deviceName() {
  const platform = navigator.userAgentData?.platform || navigator.platform || 'phone';
  return `${platform} ${new Date().toISOString().slice(0, 10)}`.slice(0, 64);
}

async function showLogin(reason) {
  $('[data-view="home"]').hidden = true;
  $('[data-view="login"]').hidden = false;
  if (reason) $('[data-login-reason]').textContent = reason;
}

$('[data-login-form]').addEventListener('submit', async (event) => {
  event.preventDefault();
  const data = new FormData(event.target);
  const username = String(data.get('username')).trim();
  const errorBox = $('[data-login-error]');
  errorBox.hidden = true;
  try {
    const issued = await api.login(username, String(data.get('password')), deviceName());
    const me = await api.request(issued.token, 'GET', '/api/v1/me');
    const previous = await db.get('accounts', username);
    await db.put('accounts', { ...(previous ?? {}), username, token: issued.token, deviceId: issued.device.id,
                               user: me, needsLogin: false, cursor: previous?.cursor ?? '' });
    await db.setMeta('current', username);
    // Ask the browser not to clear our storage when space runs low.
    await navigator.storage?.persist?.();
    event.target.reset();
    await render();
    sync.syncNow();
  } catch (error) {
    errorBox.hidden = false;
    errorBox.textContent = error.kind === 'retry' ? TEXT.offline_login
      : fill(TEXT.login_failed, { message: error.body?.message ?? error.code });
  }
});

$('[data-action="logout"]').addEventListener('click', async () => {
  const username = await db.getMeta('current');
  const unsent = (await records.mine(username)).filter((r) => records.UNSENT.has(r.state));
  if (unsent.length && !window.confirm(fill(TEXT.confirm_logout, { n: unsent.length }))) return;
  const account = await db.get('accounts', username);
  if (account?.token && account.deviceId) {
    api.request(account.token, 'DELETE', `/api/v1/devices/${account.deviceId}`).catch(() => {});
  }
  // The records stay, owned by this user; the next person to log in on this phone sees none.
  await db.update('accounts', username, (a) => ({ ...a, token: null, needsLogin: true }));
  await db.setMeta('current', null);
  await showLogin();
});

// ---- the home view --------------------------------------------------------------------------

function age(iso) {
  const minutes = Math.floor((Date.now() - Date.parse(iso)) / 60000);
  if (minutes < 1) return TEXT.just_now;
  if (minutes < 60) return fill(TEXT.minutes_ago, { n: minutes });
  if (minutes < 48 * 60) return fill(TEXT.hours_ago, { n: Math.floor(minutes / 60) });
  return fill(TEXT.days_ago, { n: Math.floor(minutes / 1440) });
}

function item(text, ...children) {
  const li = document.createElement('li');
  li.className = 'record';
  const span = document.createElement('span');
  span.textContent = text;
  li.append(span, ...children);
  return li;
}

function describe(record) {
  const payload = record.payload ?? {};
  const summary = record.summary ?? records.summarize(payload);
  const parts = [record.village_name ?? record.village_code, summary.address || TEXT.no_address];
  if (summary.visit_outcome) parts.push(TEXT.outcome[summary.visit_outcome] ?? summary.visit_outcome);
  if (summary.members) parts.push(fill(TEXT.members, { n: summary.members }));
  return parts.join(' · ');
}

function openLink(record) {
  const link = document.createElement('a');
  link.className = 'button small';
  link.href = `${sync.formPageUrl(record)}#draft=${record.id}`;
  link.textContent = TEXT.open;
  return link;
}

function renderList(name, list, extra = () => []) {
  const target = $(`[data-records="${name}"]`);
  target.replaceChildren(...list.map((record) => item(describe(record), ...extra(record))));
  if (!list.length) target.replaceChildren(item(TEXT.empty));
  const section = $(`[data-list="${name}"]`);
  if (section) section.hidden = list.length === 0;
}

function errorList(record) {
  const ul = document.createElement('ul');
  ul.className = 'errors';
  for (const error of record.errors ?? []) {
    const li = document.createElement('li');
    li.textContent = error.path ? `${error.path}: ${error.message}` : error.message;
    ul.append(li);
  }
  return ul;
}

async function render() {
  const username = await db.getMeta('current');
  const account = username ? await db.get('accounts', username) : null;
  if (!account) return showLogin();
  if (account.needsLogin) return showLogin(TEXT.needs_login);
  $('[data-view="login"]').hidden = true;
  $('[data-view="home"]').hidden = false;
  $('[data-account-name]').textContent = account.user?.display_name ?? username;

  const mine = await records.mine(username);
  const by = (...states) => mine.filter((r) => states.includes(r.state))
    .sort((a, b) => (a.updated_at < b.updated_at ? 1 : -1));
  const queued = by('queued');
  $('[data-outbox-count]').textContent = String(queued.length);
  const oldest = queued.map((r) => r.captured_at).sort()[0];
  $('[data-outbox-age]').textContent = oldest ? age(oldest) : '—';
  $('[data-last-sync]').textContent = account.lastSync ? age(account.lastSync) : '—';
  const persisted = await navigator.storage?.persisted?.();
  $('[data-storage]').textContent = persisted ? TEXT.persisted : TEXT.not_persisted;

  renderList('draft', by('draft'), (record) => {
    const discard = document.createElement('button');
    discard.type = 'button';
    discard.className = 'small danger';
    discard.textContent = TEXT.discard;
    discard.addEventListener('click', async () => {
      if (window.confirm(TEXT.confirm_discard)) { await records.discardDraft(record.id); render(); }
    });
    return [openLink(record), discard];
  });
  renderList('queued', queued);
  renderList('returned', by('returned'), (record) => {
    const comment = document.createElement('p');
    comment.className = 'comment';
    comment.textContent = fill(TEXT.comment, { comment: record.comment });
    return [comment, openLink(record)];
  });
  renderList('problem', by('rejected', 'conflict'), (record) =>
    (record.state === 'rejected' ? [errorList(record), openLink(record)] : [errorList(record)]));
  renderList('sent', by('sent').slice(0, 50), (record) => {
    const state = document.createElement('span');
    state.className = 'muted';
    state.textContent = TEXT.state[record.server_state ?? 'sent'] ?? '';
    return [state];
  });
  await renderNewForm(account);
  await renderTargets(account);
}

async function renderNewForm(account) {
  const villages = villagesOf(account.user?.areas ?? []);
  const forms = latestForms(await db.byOwner('forms', account.username));
  const villageSelect = $('[data-village-select]');
  const formSelect = $('[data-form-select]');
  villageSelect.replaceChildren(...villages.map((v) => new Option(v.name, v.code)));
  formSelect.replaceChildren(...forms.map((f) => new Option(`${f.title} ${f.version}`, `${f.form_id}@${f.version}`)));
  $('[data-no-forms]').hidden = forms.length > 0;
  $('[data-new-form] button').disabled = forms.length === 0 || villages.length === 0;
}

function villagesOf(nodes) {
  return nodes.flatMap((node) => (node.level === 'village' ? [node] : villagesOf(node.children ?? [])));
}

function latestForms(forms) {
  const latest = new Map();
  for (const form of forms) {
    const seen = latest.get(form.form_id);
    if (!seen || form.version.localeCompare(seen.version, undefined, { numeric: true }) > 0) latest.set(form.form_id, form);
  }
  return [...latest.values()];
}

async function renderTargets(account) {
  const targets = (await db.byOwner('targets', account.username))
    .sort((a, b) => a.village_code.localeCompare(b.village_code) || a.id - b.id);
  const list = $('[data-targets]');
  list.replaceChildren(...targets.map((t) =>
    item(`${t.name} · ${t.id_number_masked ?? ''} · ${t.address ?? ''} · ${TEXT.target_status[t.status] ?? t.status}`)));
  if (!targets.length) list.replaceChildren(item(TEXT.empty));
}

$('[data-new-form]').addEventListener('submit', async (event) => {
  event.preventDefault();
  const username = await db.getMeta('current');
  const account = await db.get('accounts', username);
  const village = villagesOf(account.user.areas).find((v) => v.code === $('[data-village-select]').value);
  const [formId, version] = $('[data-form-select]').value.split('@');
  const form = (await db.byOwner('forms', username)).find((f) => f.form_id === formId && f.version === version);
  if (!(await sync.hasFormPage(form))) await sync.cacheFormPage(form);
  const record = await records.startDraft({ owner: username, form, village });
  window.location.assign(`${sync.formPageUrl(form)}#draft=${record.id}`);
});

$('[data-action="sync"]').addEventListener('click', () => sync.syncNow());

sync.onChange((event) => {
  const message = $('[data-sync-message]');
  if (event.type === 'start') message.textContent = TEXT.syncing;
  if (event.type === 'done') message.textContent = TEXT.sync_ok;
  if (event.type === 'failed') message.textContent = TEXT.sync_failed;
  if (event.type !== 'start') render();
});

function showNetwork() {
  $('[data-online-state]').textContent = navigator.onLine ? '' : TEXT.offline;
}
window.addEventListener('online', showNetwork);
window.addEventListener('offline', showNetwork);

registerServiceWorker().catch(() => {});
showNetwork();
render().then(() => sync.start());
