// Canonical JSON and the content hash of a submission payload (docs/SYNC.md, "Content hash").
// sync/canonical.py is the server's twin; sync/canonical_vectors.json holds the cases both are
// tested on, so a payload hashed on the phone is hashed identically when it arrives.
//
// The text is what JSON.stringify writes, with object keys sorted by UTF-16 code units (the
// default sort) at every level and no whitespace. Like JSON.stringify, a property whose value
// is undefined (or a function) is left out, an undefined array element becomes null and a
// Date is written through its toJSON(): the hash must describe exactly the JSON the request
// body will carry. Keys are written in sorted order explicitly, because JSON.stringify itself
// would put integer-like keys ("9", "10") first in numeric order. A number that JSON cannot
// hold (NaN, Infinity) is refused instead of being written as null, as the server refuses it.

export function canonicalJson(value) {
  const text = write(value);
  if (text === undefined) throw new TypeError(`not a JSON value: ${typeof value}`);
  return text;
}

/** Lowercase hex SHA-256 of the canonical JSON, encoded as UTF-8. */
export async function contentHash(value) {
  const bytes = new TextEncoder().encode(canonicalJson(value));
  const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes);
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

// Returns undefined for what JSON.stringify would leave out.
function write(value) {
  if (value === null) return 'null';
  if (typeof value?.toJSON === 'function') return write(value.toJSON());
  switch (typeof value) {
    case 'boolean':
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('NaN and infinite numbers have no JSON form');
      return JSON.stringify(value);
    case 'object':
      if (Array.isArray(value)) return `[${value.map((item) => write(item) ?? 'null').join(',')}]`;
      return writeObject(value);
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    default:
      throw new TypeError(`not a JSON value: ${typeof value}`);
  }
}

function writeObject(object) {
  const members = [];
  for (const key of Object.keys(object).sort()) {
    const text = write(object[key]);
    if (text !== undefined) members.push(`${JSON.stringify(key)}:${text}`);
  }
  return `{${members.join(',')}}`;
}
