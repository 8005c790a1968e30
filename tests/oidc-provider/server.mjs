// A real OpenID Connect provider for Atlas's login tests: npm `oidc-provider` (certified, written
// by nobody here), shaped like the Keycloak realm `atlas` as the CLI and the services see it:
// JWT access tokens with `aud: atlas-api`, roles at `realm_access.roles`, the user's name in
// `preferred_username`, refresh tokens with `offline_access`.
//
// TEST-ONLY. Everything here is a throwaway development default: the bot's secret, the signing
// key (new each start), `POST /test/device/approve|deny`, which approves a pending device code
// for an account without a browser, and the login page of the dashboard's authorization code
// flow, which asks only for the account's name (no password) and consents by itself. Never deploy this.
//
// Settings (environment): PORT (required; binds 127.0.0.1), ACCESS_TOKEN_TTL and REFRESH_TOKEN_TTL
// in seconds (defaults 300 and 3600, the realm's values), DEVICE_POLL_INTERVAL in seconds (default 5,
// the RFC 8628 default; tests set 1 so a login takes a second, not five), DEVICE_CODE_TTL in
// seconds (default 600). Prints `listening <issuer>` when ready.
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
if (!Number.isInteger(port) || port <= 0) {
  console.error('PORT must be a TCP port number');
  process.exit(2);
}
const accessTokenTtl = Number(process.env.ACCESS_TOKEN_TTL ?? 300);
const refreshTokenTtl = Number(process.env.REFRESH_TOKEN_TTL ?? 3600);
const deviceCodeTtl = Number(process.env.DEVICE_CODE_TTL ?? 600);
const pollInterval = Number(process.env.DEVICE_POLL_INTERVAL ?? 5);
const issuer = `http://127.0.0.1:${port}`;

// oidc-provider wants resource indicators to be absolute URIs; the token's audience is the
// plain `atlas-api` that Keycloak would put there and that the services check.
const resource = 'urn:atlas:api';
const audience = 'atlas-api';

const accounts = {
  alice: ['atlas-user'],
  bob: ['atlas-user'],
  admin: ['atlas-admin'],
};

// Development-only secret, known to the tests; a real deployment registers its own bot clients.
const botClientId = 'atlas-ci-bot';
const botClientSecret = 'dev-only-atlas-ci-bot-secret';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key', alg: 'RS256', use: 'sig' };

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'atlas-cli',
      token_endpoint_auth_method: 'none',
      grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
      response_types: [],
      redirect_uris: [],
    },
    {
      // The dashboard: authorization code + PKCE (required for public clients). "native" lets a
      // loopback redirect URI carry any port (RFC 8252 7.3): the tests' dashboards use free ports.
      client_id: 'atlas-dashboard',
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: ['http://127.0.0.1/', 'http://localhost/'],
    },
    {
      client_id: botClientId,
      client_secret: botClientSecret,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
    },
  ],
  jwks: { keys: [signingKey] },
  scopes: ['openid', 'offline_access', 'profile'],
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  // The dashboard's page calls the token endpoint from its own (loopback, any port) origin.
  clientBasedCORS: (_ctx, origin, client) => client.clientId === 'atlas-dashboard' && /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?$/.test(origin),
  features: {
    devInteractions: { enabled: false },
    deviceFlow: { enabled: true },
    clientCredentials: { enabled: true },
    revocation: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => resource,
      useGrantedResource: () => true,
      getResourceServerInfo: (_ctx, indicator) => {
        if (indicator !== resource) {
          throw new Error(`unknown resource ${indicator}`);
        }
        return { scope: 'atlas', audience, accessTokenTTL: accessTokenTtl, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } };
      },
    },
  },
  ttl: {
    AccessToken: accessTokenTtl,
    ClientCredentials: accessTokenTtl,
    DeviceCode: deviceCodeTtl,
    Grant: 86400,
    RefreshToken: refreshTokenTtl,
    Session: 86400,
    Interaction: 3600,
    IdToken: 3600,
  },
  findAccount: (_ctx, id) => (accounts[id]
    ? { accountId: id, claims: () => ({ sub: id, preferred_username: id }) }
    : undefined),
  // Keycloak's shape: roles at realm_access.roles, the name in preferred_username. A bot gets the
  // name Keycloak gives a service account.
  extraTokenClaims: (_ctx, token) => {
    if (token.accountId) {
      return { preferred_username: token.accountId, realm_access: { roles: accounts[token.accountId] ?? [] } };
    }
    return { preferred_username: `service-account-${token.clientId}`, realm_access: { roles: ['atlas-user'] } };
  },
});
// oidc-provider leaves `interval` out of the device authorization response (clients then poll
// every 5 s); say it, as Keycloak does, so the CLI's honouring of it is exercised.
provider.use(async (ctx, next) => {
  await next();
  if (ctx.path === '/device/auth' && ctx.status === 200 && ctx.body?.device_code) {
    ctx.body = { ...ctx.body, interval: pollInterval };
  }
});
provider.on('server_error', (_ctx, err) => console.error('server_error', err));

// TEST-ONLY: what a person does in the browser at the verification URL, done in one call.
async function settleDeviceCode(request, response, approve) {
  const body = new URLSearchParams(await readBody(request));
  const userCode = (body.get('user_code') ?? '').toUpperCase().replace(/\W/g, '');
  const accountId = body.get('account') ?? '';
  const code = await provider.DeviceCode.findByUserCode(userCode);
  if (!code || code.accountId || code.error) {
    return reply(response, 404, { error: 'no pending device code with that user code' });
  }
  if (!approve) {
    Object.assign(code, { error: 'access_denied', errorDescription: 'the user denied the request' });
    await code.save();
    return reply(response, 200, { denied: true });
  }
  if (!accounts[accountId]) {
    return reply(response, 400, { error: `unknown account '${accountId}'` });
  }
  const requested = new Set((code.params.scope ?? 'openid').split(' ').filter(Boolean));
  const grant = new provider.Grant({ accountId, clientId: code.clientId });
  grant.addOIDCScope([...requested].filter((s) => ['openid', 'offline_access', 'profile'].includes(s)).join(' '));
  grant.addResourceScope(resource, 'atlas');
  Object.assign(code, {
    accountId,
    authTime: Math.floor(Date.now() / 1000),
    grantId: await grant.save(),
    scope: [...requested].join(' '),
    resource,
  });
  await code.save();
  return reply(response, 200, { approved: accountId });
}

// TEST-ONLY: the login page of the authorization code flow. The login prompt asks for an account
// name; the consent prompt is granted at once (the realm's clients need no consent either).
async function interaction(request, response, uid) {
  const details = await provider.interactionDetails(request, response);
  if (details.uid !== uid) {
    return reply(response, 400, { error: 'interaction mismatch' });
  }
  if (details.prompt.name === 'login') {
    if (request.method === 'GET') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return response.end(`<!doctype html><html lang="en"><head><title>Test login</title></head><body>
<h1>Test login (development only)</h1>
<form method="post" action="/interaction/${uid}"><label>Account <input id="account" name="account" autofocus></label>
<button id="sign-in" type="submit">Sign in</button></form></body></html>`);
    }
    const account = new URLSearchParams(await readBody(request)).get('account') ?? '';
    if (!accounts[account]) {
      response.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
      return response.end(`unknown account '${account}'`);
    }
    return provider.interactionFinished(request, response, { login: { accountId: account } }, { mergeWithLastSubmission: false });
  }
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
  grant.addOIDCScope(String(details.params.scope ?? 'openid').split(' ').filter((s) => ['openid', 'offline_access', 'profile'].includes(s)).join(' '));
  grant.addResourceScope(resource, 'atlas');
  const grantId = await grant.save();
  return provider.interactionFinished(request, response, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

function readBody(request) {
  return new Promise((resolve, reject) => {
    let data = '';
    request.setEncoding('utf8');
    request.on('data', (chunk) => { data += chunk; });
    request.on('end', () => resolve(data));
    request.on('error', reject);
  });
}

function reply(response, status, body) {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

const callback = provider.callback();
const server = createServer((request, response) => {
  if (request.method === 'POST' && request.url === '/test/device/approve') {
    settleDeviceCode(request, response, true).catch((err) => reply(response, 500, { error: String(err) }));
  } else if (request.method === 'POST' && request.url === '/test/device/deny') {
    settleDeviceCode(request, response, false).catch((err) => reply(response, 500, { error: String(err) }));
  } else if (request.url.startsWith('/interaction/')) {
    const uid = request.url.split('/')[2]?.split('?')[0];
    interaction(request, response, uid).catch((err) => reply(response, 500, { error: String(err) }));
  } else {
    callback(request, response);
  }
});
server.listen(port, '127.0.0.1', () => console.log(`listening ${issuer}`));
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
