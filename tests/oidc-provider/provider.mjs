// An independent OpenID Connect provider for the integration tests: panva's
// certified `oidc-provider`, standing in for Google or any other upstream
// identity provider in the federation tests.
//
// Configuration comes as JSON in OIDC_PROVIDER_CONFIG:
//
//   {
//     "clients": [{ "client_id": "…", "client_secret": "…", "redirect_uris": ["…"] }],
//     "accounts": { "<sub>": { "email": "…", "email_verified": true, "name": "…" } },
//     "id_token_claims": false,
//     "claims": { "profile": ["hd"] },
//     "exit_on_stdin_close": true
//   }
//
// - clients: oidc-provider client metadata; grant_types, response_types and
//   token_endpoint_auth_method default to the code flow with
//   client_secret_basic. oidc-provider takes client_secret_post from such a
//   client as well.
// - accounts: the end-users by `sub`, with their claims. A claim is released
//   only under the scope that maps it (see CLAIMS); "claims" adds names to a
//   scope for anything non-standard.
// - id_token_claims: true puts the scope's claims into the ID token as well
//   (as Google does); by default they come only from the userinfo endpoint.
// - exit_on_stdin_close: exit when stdin reaches end of file, so that the
//   provider dies with the test process that started it.
//
// It listens on 127.0.0.1 with a port chosen by the system, and prints exactly
// one line to stdout when ready: {"issuer":"http://127.0.0.1:<port>"}.
// Everything else goes to stderr.
//
// Sign-in pages (no script, no styles). Like an account chooser, the login
// form is shown on every authorization request, even when the browser already
// has a session here, so each sign-in names its account (prompt=none is
// therefore answered with login_required).
//   GET  /interaction/:uid        the login form (a `sub` field, #sign-in) and
//                                 a cancel form (#cancel); a consent prompt
//                                 is granted at once, without a page
//   POST /interaction/:uid/login  signs the form's `sub` in, or shows the
//                                 form again with an error
//   POST /interaction/:uid/abort  ends the request with access_denied

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

import Provider, { interactionPolicy } from 'oidc-provider';

// oidc-provider prints its notices with console.info; stdout carries only the
// ready line.
console.log = console.error;
console.info = console.error;

const CLAIMS = {
  openid: ['sub'],
  email: ['email', 'email_verified'],
  profile: [
    'name', 'given_name', 'family_name', 'middle_name', 'nickname',
    'preferred_username', 'profile', 'picture', 'website', 'gender',
    'birthdate', 'zoneinfo', 'locale', 'updated_at',
  ],
};

const FORM_BODY_LIMIT = 64 * 1024;

function fail(message) {
  console.error(`oidc-provider: ${message}`);
  process.exit(2);
}

function readConfig() {
  const raw = process.env.OIDC_PROVIDER_CONFIG;
  if (!raw) {
    fail('set OIDC_PROVIDER_CONFIG to the JSON configuration (see the top of provider.mjs)');
  }
  let config;
  try {
    config = JSON.parse(raw);
  } catch (err) {
    fail(`OIDC_PROVIDER_CONFIG is not JSON: ${err.message}`);
  }
  if (!Array.isArray(config.clients) || config.clients.length === 0) {
    fail('OIDC_PROVIDER_CONFIG needs "clients": [{ client_id, client_secret, redirect_uris }]');
  }
  if (typeof config.accounts !== 'object' || config.accounts === null) {
    fail('OIDC_PROVIDER_CONFIG needs "accounts": { "<sub>": { claims } }');
  }
  return config;
}

function claimsMapping(extra = {}) {
  const mapping = Object.fromEntries(Object.entries(CLAIMS).map(([scope, names]) => [scope, [...names]]));
  for (const [scope, names] of Object.entries(extra)) {
    mapping[scope] = [...new Set([...(mapping[scope] ?? []), ...names])];
  }
  return mapping;
}

function signingKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    ...privateKey.export({ format: 'jwk' }),
    kid: randomBytes(8).toString('hex'),
    use: 'sig',
    alg: 'RS256',
  };
}

function escapeHtml(text) {
  return String(text)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

function loginPage(uid, clientId, { sub = '', error } = {}) {
  const id = encodeURIComponent(uid);
  const errorLine = error ? `\n<p id="error" role="alert">${escapeHtml(error)}</p>` : '';
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Sign in - test OpenID provider</title></head>
<body>
<h1>Sign in</h1>
<p>to continue to ${escapeHtml(clientId)}</p>${errorLine}
<form id="login" method="post" action="/interaction/${id}/login">
<label for="sub">Account (sub)</label>
<input id="sub" name="sub" autocomplete="username" required value="${escapeHtml(sub)}">
<button id="sign-in" type="submit">Sign in</button>
</form>
<form id="abort" method="post" action="/interaction/${id}/abort">
<button id="cancel" type="submit">Cancel</button>
</form>
</body>
</html>
`;
}

function send(res, status, contentType, body) {
  res.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  });
  res.end(body);
}

async function readForm(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > FORM_BODY_LIMIT) {
      throw new Error('form body too large');
    }
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

// Grants what the consent prompt says is missing, like a user who always
// clicks "Allow".
async function grantConsent(provider, interaction) {
  const { prompt: { details }, params, session: { accountId }, grantId } = interaction;
  const grant = grantId
    ? await provider.Grant.find(grantId)
    : new provider.Grant({ accountId, clientId: params.client_id });
  if (details.missingOIDCScope) {
    grant.addOIDCScope(details.missingOIDCScope.join(' '));
  }
  if (details.missingOIDCClaims) {
    grant.addOIDCClaims(details.missingOIDCClaims);
  }
  if (details.missingResourceScopes) {
    for (const [indicator, scopes] of Object.entries(details.missingResourceScopes)) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
  }
  return grant.save();
}

function interactions(provider, accounts) {
  return async (req, res, uid, action) => {
    const interaction = await provider.interactionDetails(req, res);
    if (interaction.uid !== uid) {
      send(res, 400, 'text/plain; charset=utf-8', 'this sign-in is not the one in progress\n');
      return;
    }
    const clientId = interaction.params.client_id;
    const prompt = interaction.prompt.name;

    if (req.method === 'GET' && action === undefined) {
      if (prompt === 'consent') {
        const consentGrantId = await grantConsent(provider, interaction);
        await provider.interactionFinished(req, res, { consent: { grantId: consentGrantId } }, {
          mergeWithLastSubmission: true,
        });
        return;
      }
      send(res, 200, 'text/html; charset=utf-8', loginPage(uid, clientId));
      return;
    }

    if (req.method === 'POST' && action === 'login') {
      const form = await readForm(req);
      const sub = form.get('sub') ?? '';
      if (prompt !== 'login') {
        send(res, 400, 'text/plain; charset=utf-8', `expected the login prompt, not ${prompt}\n`);
        return;
      }
      if (!Object.hasOwn(accounts, sub)) {
        send(res, 200, 'text/html; charset=utf-8', loginPage(uid, clientId, {
          sub,
          error: `There is no account "${sub}".`,
        }));
        return;
      }
      await provider.interactionFinished(req, res, { login: { accountId: sub } }, {
        mergeWithLastSubmission: false,
      });
      return;
    }

    if (req.method === 'POST' && action === 'abort') {
      await readForm(req);
      await provider.interactionFinished(req, res, {
        error: 'access_denied',
        error_description: 'End-User aborted interaction',
      }, { mergeWithLastSubmission: false });
      return;
    }

    send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
  };
}

// The default login and consent prompts, plus: log in on every request that
// has not just done so.
function alwaysAskPolicy() {
  const policy = interactionPolicy.base();
  policy.get('login').checks.add(new interactionPolicy.Check(
    'account_chooser',
    'this provider asks who signs in on every request',
    'login_required',
    (ctx) => !ctx.oidc.result?.login,
  ));
  return policy;
}

const INTERACTION_PATH = /^\/interaction\/([^/]+)(?:\/(login|abort))?$/;

function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server.address().port));
  });
}

async function main() {
  const config = readConfig();
  const accounts = config.accounts;

  let handle = (req, res) => send(res, 503, 'text/plain; charset=utf-8', 'starting\n');
  const server = createServer((req, res) => handle(req, res));
  const port = await listen(server);
  const issuer = `http://127.0.0.1:${port}`;

  const provider = new Provider(issuer, {
    clients: config.clients.map((client) => ({
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      ...client,
    })),
    clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
    responseTypes: ['code'],
    scopes: ['openid', 'email', 'profile'],
    claims: claimsMapping(config.claims),
    conformIdTokenClaims: !config.id_token_claims,
    pkce: { methods: ['S256'], required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: {
      policy: alwaysAskPolicy(),
      url: (ctx, interaction) => `/interaction/${interaction.uid}`,
    },
    jwks: { keys: [signingKey()] },
    cookies: {
      // Cookies ignore the port, so they reach the relying party on the same
      // host too: give them names of their own. SameSite=None without Secure
      // is dropped by browsers on plain HTTP, so use Lax.
      names: {
        session: 'op_session',
        interaction: 'op_interaction',
        resume: 'op_interaction_resume',
      },
      long: { httpOnly: true, sameSite: 'lax', signed: true },
      short: { httpOnly: true, sameSite: 'lax', signed: true },
      keys: [randomBytes(32).toString('hex')],
    },
    async findAccount(ctx, sub) {
      if (!Object.hasOwn(accounts, sub)) {
        return undefined;
      }
      return {
        accountId: sub,
        async claims() {
          return { ...accounts[sub], sub };
        },
      };
    },
  });

  for (const event of ['server_error', 'authorization.error', 'grant.error', 'userinfo.error', 'jwks.error', 'discovery.error']) {
    provider.on(event, (ctx, err) => {
      console.error(`oidc-provider: ${event}: ${err.name}: ${err.message}${err.error_description ? ` (${err.error_description})` : ''}`);
    });
  }

  const interaction = interactions(provider, accounts);
  const callback = provider.callback();
  handle = (req, res) => {
    const { pathname } = new URL(req.url, issuer);
    const match = INTERACTION_PATH.exec(pathname);
    if (!match) {
      callback(req, res);
      return;
    }
    interaction(req, res, decodeURIComponent(match[1]), match[2]).catch((err) => {
      console.error(`oidc-provider: ${req.method} ${pathname}: ${err.stack ?? err}`);
      if (!res.headersSent) {
        send(res, 400, 'text/plain; charset=utf-8', `${err.name}: ${err.message}\n`);
      } else {
        res.end();
      }
    });
  };

  if (config.exit_on_stdin_close) {
    process.stdin.on('end', () => process.exit(0));
    process.stdin.on('error', () => process.exit(0));
    process.stdin.resume();
  }

  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
}

main().catch((err) => fail(err.stack ?? String(err)));
