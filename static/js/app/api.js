// Talking to the server with the device token, and sorting every failure into what the
// sync loop should do about it: retry later, stop and ask for the password, or split a batch.

export class ApiError extends Error {
  constructor(kind, code, status, body = {}) {
    super(code);
    this.kind = kind; // 'retry' | 'auth' | 'too_large' | 'stop'
    this.code = code;
    this.status = status;
    this.body = body;
  }
}

function classify(status, body) {
  const code = body.code ?? `http_${status}`;
  if (status === 401) return new ApiError('auth', code, status, body);
  if (status === 413) return new ApiError('too_large', code, status, body);
  if (status === 429 || status >= 500) return new ApiError('retry', code, status, body);
  return new ApiError('stop', code, status, body);
}

export async function request(token, method, url, body) {
  let response;
  try {
    response = await fetch(url, {
      method,
      headers: { Accept: 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}),
                 ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch {
    throw new ApiError('retry', 'network', 0); // no signal, or the request was cut off
  }
  let parsed = {};
  try {
    parsed = await response.json();
  } catch {
    if (response.ok) throw new ApiError('retry', 'bad_response', response.status);
  }
  if (!response.ok) throw classify(response.status, parsed);
  return parsed;
}

export function login(username, password, deviceName) {
  return request(null, 'POST', '/api/v1/devices', { username, password, device_name: deviceName });
}
