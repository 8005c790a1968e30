// A real OpenID Connect provider for Atlas's login tests: npm `oidc-provider` (certified, written
// by nobody here), shaped like the Keycloak realm `atlas` as the CLI and the services see it:
// JWT access tokens with `aud: atlas-api`, roles at `realm_access.roles`, the user's name in
// `preferred_username`, refresh tokens with `offline_access`.
//
// TEST-ONLY. Everything here is a throwaway development default: the bot's secret, the signing
// key (new each start), and `POST /test/device/approve|deny`, which approves a pending device code
// for an account without a browser. Never deploy this.
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
      client_id: botClientId,
      client_secret: botClientSecret,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
    },
  ],
  jwks: { keys: [signingKey] },
  scopes: ['openid', 'offline_access', 'profile'],
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
  } else {
    callback(request, response);
  }
});
server.listen(port, '127.0.0.1', () => console.log(`listening ${issuer}`));
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
