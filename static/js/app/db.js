// The phone's own storage: IndexedDB, the one place a record lives until the server has it.
//
// Stores:
//   accounts  {username, token, deviceId, user, cursor, lastSync, needsLogin}   key: username
//   meta      {key, value}   e.g. {key: 'current', value: username}             key: key
//   records   one household visit from draft to receipt (see records.js)         key: id (UUID)
//   targets   people to look for, as the server sent them, per owner            key: [owner, id]
//   forms     published form versions this phone knows, per owner     key: [owner, county_code, form_id, version]
//
// Every write uses durability 'strict', so a committed write is on disk before the promise
// resolves: a phone that dies right after "saved" still has the record.
// Browsers may close a connection under memory pressure (iOS does); every call reopens it
// when that happened, instead of failing until the page is reloaded.

const NAME = 'canbao';
const VERSION = 1;
let opening = null;

function upgrade(db) {
  db.createObjectStore('accounts', { keyPath: 'username' });
  db.createObjectStore('meta', { keyPath: 'key' });
  const records = db.createObjectStore('records', { keyPath: 'id' });
  records.createIndex('owner', 'owner');
  db.createObjectStore('targets', { keyPath: ['owner', 'id'] }).createIndex('owner', 'owner');
  db.createObjectStore('forms', { keyPath: ['owner', 'county_code', 'form_id', 'version'] }).createIndex('owner', 'owner');
}

function open() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(NAME, VERSION);
      request.onupgradeneeded = () => upgrade(request.result);
      request.onsuccess = () => {
        const db = request.result;
        // Closed by the browser (or by a newer version of the app in another tab): forget it,
        // the next call opens a fresh connection.
        db.onclose = () => { opening = null; };
        db.onversionchange = () => { db.close(); opening = null; };
        resolve(db);
      };
      request.onerror = () => { opening = null; reject(request.error); };
      request.onblocked = () => { opening = null; reject(new Error('indexeddb_blocked')); };
    });
  }
  return opening;
}

function done(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** Run fn(stores) in one transaction; resolves once the transaction has committed.
 *  fn may chain promises on its requests: they run before the transaction auto-commits. */
async function transact(names, mode, fn, retried = false) {
  let db;
  let tx;
  try {
    db = await open();
    tx = db.transaction(names, mode, mode === 'readwrite' ? { durability: 'strict' } : undefined);
  } catch (error) {
    if (!retried && error?.name === 'InvalidStateError') {
      opening = null;
      return transact(names, mode, fn, true);
    }
    throw error;
  }
  const stores = Object.fromEntries(names.map((name) => [name, tx.objectStore(name)]));
  const committed = new Promise((resolve, reject) => {
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('transaction_aborted'));
  });
  fn(stores);
  await committed;
}

export async function get(store, key) {
  let value;
  await transact([store], 'readonly', (s) => done(s[store].get(key)).then((v) => { value = v; }));
  return value;
}

export async function put(store, value) {
  await transact([store], 'readwrite', (s) => { s[store].put(value); });
  return value;
}

export async function putMany(store, values) {
  await transact([store], 'readwrite', (s) => { for (const value of values) s[store].put(value); });
}

export async function remove(store, key) {
  await transact([store], 'readwrite', (s) => { s[store].delete(key); });
}

export async function byOwner(store, owner) {
  let values = [];
  await transact([store], 'readonly', (s) =>
    done(s[store].index('owner').getAll(owner)).then((v) => { values = v; }));
  return values;
}

export async function all(store) {
  let values = [];
  await transact([store], 'readonly', (s) => done(s[store].getAll()).then((v) => { values = v; }));
  return values;
}

/** Read-modify-write of one record in a single transaction (no lost update between tabs). */
export async function update(store, key, change) {
  let result;
  await transact([store], 'readwrite', (s) =>
    done(s[store].get(key)).then((current) => {
      result = change(current);
      if (result !== undefined) s[store].put(result);
    }));
  return result;
}

export async function getMeta(key) {
  return (await get('meta', key))?.value;
}

export async function setMeta(key, value) {
  await put('meta', { key, value });
}
