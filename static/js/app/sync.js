// The sync loop: push the outbox, then pull what changed. It runs when the app starts, when
// the phone comes back online, every minute while the app is open, and from the button; it
// needs no Background Sync (which Safari, Firefox and Android WebView lack).
//
// A record leaves the outbox only on the server's "accepted" or "duplicate". Failures back off
// exponentially with jitter, so a hundred phones coming out of a dead zone together do not
// hammer the server in step; nothing ever expires from the outbox.
import * as api from './api.js';
import * as db from './db.js';
import * as records from './records.js';

const BATCH = 20;
const PERIOD_MS = 60_000;
const BACKOFF_BASE_MS = 2_000;
const BACKOFF_MAX_MS = 15 * 60_000;

let running = null;
let failures = 0;
let timer = null;
const listeners = new Set();

export function onChange(listener) {
  listeners.add(listener);
}

function notify(event) {
  for (const listener of listeners) listener(event);
}

export function backoffDelay(attempt, random = Math.random) {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** attempt);
  return Math.round(ceiling / 2 + random() * (ceiling / 2)); // "equal jitter"
}

function schedule(delay) {
  clearTimeout(timer);
  timer = setTimeout(() => syncNow(), delay);
}

/** Start the triggers for the logged-in user. */
export function start() {
  window.addEventListener('online', () => { failures = 0; syncNow(); });
  document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible') syncNow(); });
  syncNow();
}

/** Run one sync now (or join the one running). Resolves to {ok, error?}. */
export function syncNow() {
  if (!running) {
    running = runOnce().finally(() => { running = null; });
  }
  return running;
}

async function currentAccount() {
  const username = await db.getMeta('current');
  return username ? db.get('accounts', username) : null;
}

async function runOnce() {
  const account = await currentAccount();
  if (!account || account.needsLogin) return { ok: false, error: 'auth' };
  notify({ type: 'start' });
  try {
    await push(account);
    await pull(account);
    await records.pruneReceipts(account.username);
    failures = 0;
    await db.update('accounts', account.username, (a) => ({ ...a, lastSync: new Date().toISOString() }));
    schedule(PERIOD_MS);
    notify({ type: 'done' });
    return { ok: true };
  } catch (error) {
    if (error.kind === 'auth') {
      // The token was revoked or expired: ask for the password, keep every record.
      await db.update('accounts', account.username, (a) => ({ ...a, token: null, needsLogin: true }));
      notify({ type: 'auth' });
      return { ok: false, error: 'auth' };
    }
    failures += 1;
    schedule(backoffDelay(failures));
    notify({ type: 'failed', error });
    return { ok: false, error: error.code ?? 'network' };
  }
}

async function push(account) {
  const queued = (await records.mine(account.username)).filter((r) => r.state === 'queued');
  let size = BATCH;
  while (queued.length) {
    const batch = queued.slice(0, size);
    const items = batch.map((r) => ({
      id: r.id, revision: r.revision, form_id: r.form_id, form_version: r.form_version,
      captured_at: r.captured_at, content_hash: r.content_hash, payload: r.payload,
    }));
    let answer;
    try {
      answer = await api.request(account.token, 'POST', '/api/v1/sync/push', { items });
    } catch (error) {
      if (error.kind === 'too_large' && size > 1) {
        size = Math.max(1, Math.floor(size / 2));
        continue;
      }
      if (error.kind === 'too_large') {
        await records.acknowledge(batch[0].id, { revision: batch[0].revision, status: 'rejected', code: error.code,
          message: error.body.message ?? error.code });
        queued.shift();
        continue;
      }
      throw error;
    }
    // Each item on its own: one rejected household never holds back the others.
    for (const result of answer.results) await records.acknowledge(result.id, result);
    queued.splice(0, batch.length);
    notify({ type: 'progress' });
  }
}

async function pull(account) {
  let cursor = account.cursor ?? '';
  for (;;) {
    const query = cursor ? `?cursor=${encodeURIComponent(cursor)}` : '';
    const page = await api.request(account.token, 'GET', `/api/v1/sync/pull${query}`);
    const owner = account.username;
    await db.putMany('targets', page.targets.map((target) => ({ ...target, owner })));
    await db.putMany('forms', page.forms.map((form) => ({ ...form, owner })));
    for (const form of page.forms) await cacheFormPage(form);
    for (const item of page.submissions) await records.applyServerState(owner, item);
    cursor = page.cursor;
    await db.update('accounts', owner, (a) => ({ ...a, cursor }));
    if (!page.more) return;
  }
}

const FORM_CACHE = 'canbao-forms';

/** The page of a form version; a record names its form by county, form id and version. */
export function formPageUrl({ county_code: county, form_id: formId, version, form_version: formVersion }) {
  const part = encodeURIComponent;
  return `/app/forms/${part(county)}/${part(formId)}/${part(version ?? formVersion)}`;
}

/** Keep the page of a form version in a cache that no app update deletes. */
export async function cacheFormPage(form) {
  const url = formPageUrl(form);
  const response = await fetch(url, { cache: 'no-store' }).catch(() => null);
  if (!response?.ok) throw new api.ApiError('retry', 'form_page', response?.status ?? 0);
  const cache = await caches.open(FORM_CACHE);
  await cache.put(url, response);
}

export async function hasFormPage(form) {
  const cache = await caches.open(FORM_CACHE);
  return Boolean(await cache.match(formPageUrl(form)));
}
