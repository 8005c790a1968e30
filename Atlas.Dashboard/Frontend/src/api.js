// Calls to the Atlas API through this dashboard's /api proxy, with the user's token when logged in.
import { accessToken } from './auth.js';

/** An API call that failed: its message is the ProblemDetails' title and detail, or the HTTP status. */
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function headers(extra = {}) {
  const token = await accessToken();
  return token ? { ...extra, Authorization: `Bearer ${token}` } : extra;
}

async function failure(res) {
  let text = `${res.status} ${res.statusText}`;
  try {
    const body = await res.json();
    const fields = body.errors ? Object.entries(body.errors).map(([k, v]) => `${k}: ${[].concat(v).join(' ')}`).join('; ') : '';
    text = [body.title, body.detail && body.detail !== fields ? body.detail : '', fields].filter(Boolean).join(' — ') || text;
  } catch {
    // not JSON: keep the status line
  }
  return new ApiError(res.status, text);
}

/** GET (or another method) returning JSON; throws ApiError with the server's reason. */
export async function api(path, { method = 'GET', body } = {}) {
  let res;
  try {
    res = await fetch(path, {
      method,
      headers: await headers(body ? { 'Content-Type': 'application/json', Accept: 'application/json' } : { Accept: 'application/json' }),
      body: body ? JSON.stringify(body) : undefined,
    });
  } catch (e) {
    throw new ApiError(0, `The dashboard could not reach the API (${e.message}).`);
  }
  if (!res.ok) throw await failure(res);
  if (res.status === 204 || res.status === 202 && res.headers.get('content-length') === '0') return null;
  const type = res.headers.get('content-type') ?? '';
  return type.includes('json') ? res.json() : res.text();
}

/**
 * Reads a streamed response chunk by chunk (text), calling onText for each; resolves when the
 * stream ends, rejects on an HTTP error. abort() through the signal stops it.
 */
export async function stream(path, onText, signal, accept = 'text/plain') {
  const res = await fetch(path, { headers: await headers({ Accept: accept }), signal });
  if (!res.ok) throw await failure(res);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    onText(value);
  }
}

/**
 * Follows a server-sent event stream (fetch, so the Authorization header goes with it), calling
 * onEvent with each event's parsed data and its id. path may be a function, asked again on each
 * reconnect (to resume from the last id). reconnect: 'always' (a feed that never ends: reconnect
 * after a drop or an end) or 'error' (a stream that ends when its subject does: reconnect only
 * after a failure). Stops when the signal aborts.
 */
export async function events(path, onEvent, signal, { reconnect = 'always' } = {}) {
  while (!signal.aborted) {
    let buffer = '';
    let failed = false;
    try {
      await stream(typeof path === 'function' ? path() : path, (text) => {
        buffer += text;
        let i;
        while ((i = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, i);
          buffer = buffer.slice(i + 2);
          const lines = block.split('\n');
          const data = lines.filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n');
          const id = lines.find((l) => l.startsWith('id:'))?.slice(3).trim();
          if (data) {
            let parsed;
            try { parsed = JSON.parse(data); } catch { parsed = undefined; }
            if (parsed !== undefined) onEvent(parsed, id);
          }
        }
      }, signal, 'text/event-stream');
    } catch (e) {
      if (signal.aborted) return;
      if (e instanceof ApiError && e.status >= 400 && e.status < 500) throw e;
      failed = true;
    }
    if (reconnect !== 'always' && !failed) return;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** A link's href for a download that needs the token: fetched, then saved from a blob. */
export async function download(path, name) {
  const res = await fetch(path, { headers: await headers() });
  if (!res.ok) throw await failure(res);
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export const enc = encodeURIComponent;
