// Login with authorization code + PKCE through the realm's public client (atlas-dashboard). The
// tokens stay in this tab's sessionStorage; in single-user mode there is no login at all.

const KEY = 'atlas.session';
const PENDING = 'atlas.login';
let config = { mode: 'single-user' };
let discovery = null;
let refreshing = null;

function b64url(bytes) {
  return btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function random(n = 32) {
  return b64url(crypto.getRandomValues(new Uint8Array(n)));
}

async function discover() {
  if (!discovery) {
    const res = await fetch(`${config.authority}/.well-known/openid-configuration`);
    if (!res.ok) throw new Error(`The identity provider's discovery document failed (${res.status}).`);
    discovery = await res.json();
  }
  return discovery;
}

function session() {
  try { return JSON.parse(sessionStorage.getItem(KEY)); } catch { return null; }
}

function keep(tokens) {
  const s = {
    access: tokens.access_token,
    refresh: tokens.refresh_token ?? session()?.refresh,
    expires: Date.now() + (tokens.expires_in ?? 300) * 1000,
  };
  sessionStorage.setItem(KEY, JSON.stringify(s));
  return s;
}

async function tokenRequest(params) {
  const d = await discover();
  const res = await fetch(d.token_endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: config.clientId, ...params }),
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(`Login failed: ${body.error_description ?? body.error ?? res.status}`);
  return keep(body);
}

/** Reads where to log in; finishes a login when the provider sent the browser back with a code. */
export async function initAuth(dashboardConfig) {
  const res = await fetch('/api/v1/auth/config', { headers: { Accept: 'application/json' } });
  if (!res.ok) throw new Error(`The API's auth settings could not be read (${res.status}).`);
  const api = await res.json();
  config = { ...api, clientId: dashboardConfig.clientId };
  if (config.mode !== 'oidc') return;
  const url = new URL(location.href);
  const code = url.searchParams.get('code');
  const state = url.searchParams.get('state');
  const error = url.searchParams.get('error');
  if (code || error) {
    const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? 'null');
    sessionStorage.removeItem(PENDING);
    history.replaceState(null, '', `${location.pathname}${pending?.hash ?? '#/'}`);
    if (error) throw new Error(`Login failed: ${url.searchParams.get('error_description') ?? error}`);
    if (!pending || pending.state !== state) throw new Error('Login failed: the answer does not belong to this login; try again.');
    await tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: redirectUri(), code_verifier: pending.verifier });
  }
}

function redirectUri() {
  return `${location.origin}/`;
}

export function authMode() {
  return config.mode;
}

export function loggedIn() {
  return config.mode !== 'oidc' || !!session()?.access;
}

/** Sends the browser to the provider's login page. */
export async function login() {
  const d = await discover();
  const verifier = random(48);
  const challenge = b64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  const state = random(16);
  sessionStorage.setItem(PENDING, JSON.stringify({ state, verifier, hash: location.hash || '#/' }));
  const params = new URLSearchParams({
    client_id: config.clientId,
    response_type: 'code',
    redirect_uri: redirectUri(),
    scope: 'openid offline_access',
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  location.assign(`${d.authorization_endpoint}?${params}`);
}

export function logout() {
  sessionStorage.removeItem(KEY);
  location.hash = '#/';
  location.reload();
}

/** The access token to send, renewed first when it expires within a minute; null in single-user mode. */
export async function accessToken() {
  if (config.mode !== 'oidc') return null;
  const s = session();
  if (!s) return null;
  if (s.expires - Date.now() > 60_000 || !s.refresh) return s.access;
  refreshing ??= tokenRequest({ grant_type: 'refresh_token', refresh_token: s.refresh })
    .then((n) => n.access)
    .catch(() => { sessionStorage.removeItem(KEY); return null; })
    .finally(() => { refreshing = null; });
  return refreshing;
}
