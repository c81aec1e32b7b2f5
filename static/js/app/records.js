// One household visit on the phone, from draft to receipt. A record is born as a draft with
// the UUID the server will key it on; it never gets another id.
//
//   draft ──submit──▶ queued ──push accepted/duplicate──▶ sent (a receipt: payload removed)
//                       │  ▲
//          rejected ◀───┘  └── fix and submit again (same revision: nothing was stored)
//          conflict  (kept and shown; not retried by itself)
//   returned (pulled, with the supervisor's comment) ──fix──▶ queued as revision + 1
//
// Every change is written to IndexedDB at once; see docs/DEVICE_DATA.md for what is kept.
import { contentHash } from '../canonical.js';
import * as db from './db.js';

export const UNSENT = new Set(['draft', 'queued', 'rejected', 'conflict', 'returned']);

const now = () => new Date().toISOString();

export async function startDraft({ owner, form, village }) {
  return db.put('records', {
    id: crypto.randomUUID(), owner, state: 'draft', revision: 1,
    county_code: form.county_code, form_id: form.form_id, form_version: form.version, form_title: form.title,
    village_code: village.code, village_name: village.name,
    payload: { village_code: village.code }, created_at: now(), updated_at: now(),
    errors: [], comment: '', field_comments: {},
  });
}

export function get(id) {
  return db.get('records', id);
}

export function mine(owner) {
  return db.byOwner('records', owner);
}

/** Save the answers as they are typed. A queued record is no longer editable. */
export function saveAnswers(id, payload) {
  return db.update('records', id, (record) => {
    if (!record || !['draft', 'rejected', 'returned'].includes(record.state)) return undefined;
    return { ...record, payload, updated_at: now() };
  });
}

/** "Submit": the draft passed the form's rules; it waits in the outbox for the server. */
export async function submit(id, payload) {
  const hash = await contentHash(payload);
  return db.update('records', id, (record) => {
    if (!record || !['draft', 'rejected', 'returned'].includes(record.state)) return undefined;
    const revision = record.state === 'returned' ? record.server_revision + 1 : record.revision;
    return { ...record, payload, revision, content_hash: hash, state: 'queued', errors: [],
             captured_at: now(), updated_at: now() };
  });
}

export async function discardDraft(id) {
  const record = await db.get('records', id);
  if (record?.state === 'draft') await db.remove('records', id);
}

/** Apply the server's answer to one pushed item. */
export function acknowledge(id, result) {
  return db.update('records', id, (record) => {
    if (!record || record.state !== 'queued' || record.revision !== result.revision) return undefined;
    if (result.status === 'accepted' || result.status === 'duplicate') {
      // The server has it: keep a receipt for the enumerator, not the person's data.
      const { payload, ...rest } = record;
      return { ...rest, state: 'sent', server_revision: record.revision, sent_at: now(),
               summary: summarize(payload), errors: [] };
    }
    return { ...record, state: result.status === 'conflict' ? 'conflict' : 'rejected',
             errors: result.errors?.length ? result.errors : [{ path: '', code: result.code, message: result.message }],
             updated_at: now() };
  });
}

/** A submission the supervisor returned, approved or rejected, as the pull reports it. */
export function applyServerState(owner, item) {
  return db.update('records', item.id, (record) => {
    if (item.state === 'returned') {
      if (record && UNSENT.has(record.state) && record.state !== 'returned') return undefined; // local work wins
      return { ...(record ?? { id: item.id, owner, created_at: now(), errors: [] }),
               owner, state: 'returned', server_revision: item.revision, revision: item.revision,
               form_id: item.form_id ?? record?.form_id, form_version: item.form_version ?? record?.form_version,
               village_code: item.payload?.village_code ?? record?.village_code,
               county_code: (item.payload?.village_code ?? record?.village_code ?? '').slice(0, 6),
               payload: item.payload, comment: item.comment ?? '', field_comments: item.field_comments ?? {},
               updated_at: now() };
    }
    if (record && record.state === 'sent') return { ...record, server_state: item.state, comment: item.comment ?? '' };
    return undefined;
  });
}

const RECEIPT_DAYS = 30;

/** Receipts are kept 30 days (docs/DEVICE_DATA.md), then forgotten. */
export async function pruneReceipts(owner) {
  const cutoff = Date.now() - RECEIPT_DAYS * 24 * 3600 * 1000;
  for (const record of await mine(owner)) {
    if (record.state === 'sent' && Date.parse(record.sent_at) < cutoff) await db.remove('records', record.id);
  }
}

export function summarize(payload = {}) {
  return { address: payload.address ?? '', visit_outcome: payload.visit_outcome ?? '',
           members: Array.isArray(payload.members) ? payload.members.length : 0 };
}
