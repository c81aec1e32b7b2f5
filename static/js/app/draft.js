// The form page inside the offline app: opens the record named in the address (#draft=<id>),
// saves every answer to IndexedDB as it is typed, and on "submit" moves the household to the
// outbox and starts a sync.
import { survey } from '../form-page.js';
import * as db from './db.js';
import * as records from './records.js';
import { syncNow } from './sync.js';

const id = new URLSearchParams(window.location.hash.slice(1)).get('draft');
const form = document.querySelector('[data-survey]');

async function open() {
  const owner = await db.getMeta('current');
  const record = id ? await records.get(id) : null;
  if (!record || record.owner !== owner || !['draft', 'rejected', 'returned'].includes(record.state)) {
    document.querySelector('[data-draft-missing]').hidden = false;
    form.hidden = true;
    return;
  }
  document.querySelector('[data-draft-info]').textContent = `${record.village_name ?? record.village_code}`;
  if (record.comment) {
    const box = document.querySelector('[data-comment]');
    box.hidden = false;
    box.textContent = record.comment;
  }
  survey.load(record.payload ?? {});
  survey.showNotes(record.field_comments ?? {});
  if (record.errors?.length) survey.markErrors(record.errors);
  // Every change is written at once: a phone that dies mid-visit loses nothing typed.
  let pending = Promise.resolve();
  survey.onChange((payload) => {
    pending = pending.then(() => records.saveAnswers(record.id, payload));
  });
  // Leaving the page could cut off the last write; the way back waits for it.
  document.querySelector('[data-action="back"]').addEventListener('click', async (event) => {
    event.preventDefault();
    await pending;
    window.location.assign('/app');
  });
  // The form stays hidden until the saved answers are in and every change is being saved:
  // nothing typed before that moment could be lost or overwritten.
  form.hidden = false;
  survey.onSubmit(async (payload) => {
    await pending;
    await records.submit(record.id, payload);
    syncNow(); // not awaited: the outbox takes over, with or without a connection
    window.location.assign('/app');
  });
}

open();
