// USER_SRP_AUTH through amazon-cognito-identity-js (CognitoUserPool with an
// `endpoint`, CognitoUser.authenticateUser): the JavaScript half of the
// independent SRP clients that tests/it/api_srp.rs runs.
//
// Usage: node srp.mjs '<json>' with the members
//   endpoint, pool_id, client_id, username, password   (required)
//   new_password   answer NEW_PASSWORD_REQUIRED with it
//   totp_secret    answer SOFTWARE_TOKEN_MFA with a code from this base32
//                  secret, for the step `totp_offset` seconds ahead (default 30)
//
// Prints one JSON line: {IdToken, AccessToken, RefreshToken} on success, or
// {"error": "<Cognito exception name>", "message": "..."} (exit status 1).

import { createHmac } from 'node:crypto';
import cognito from 'amazon-cognito-identity-js';

const { AuthenticationDetails, CognitoUser, CognitoUserPool } = cognito;

function totp(secretB32, at) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secretB32.toUpperCase().replace(/=+$/, '')) {
    bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  }
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 30)));
  const digest = createHmac('sha1', key).update(counter).digest();
  const offset = digest[digest.length - 1] & 0x0f;
  const number = digest.readUInt32BE(offset) & 0x7fffffff;
  return String(number % 1000000).padStart(6, '0');
}

function finish(out, status) {
  process.stdout.write(`${JSON.stringify(out)}\n`);
  process.exit(status);
}

const args = JSON.parse(process.argv[2]);
const pool = new CognitoUserPool({
  UserPoolId: args.pool_id,
  ClientId: args.client_id,
  endpoint: args.endpoint,
});
const user = new CognitoUser({ Username: args.username, Pool: pool });
user.setAuthenticationFlowType('USER_SRP_AUTH');

const callbacks = {
  onSuccess(session) {
    finish(
      {
        IdToken: session.getIdToken().getJwtToken(),
        AccessToken: session.getAccessToken().getJwtToken(),
        RefreshToken: session.getRefreshToken().getToken(),
      },
      0,
    );
  },
  onFailure(err) {
    finish({ error: err.code || err.name, message: err.message }, 1);
  },
  newPasswordRequired() {
    if (!args.new_password) {
      finish({ error: 'NEW_PASSWORD_REQUIRED', message: 'no new_password given' }, 1);
    }
    user.completeNewPasswordChallenge(args.new_password, {}, callbacks);
  },
  totpRequired() {
    if (!args.totp_secret) {
      finish({ error: 'SOFTWARE_TOKEN_MFA', message: 'no totp_secret given' }, 1);
    }
    const at = Date.now() / 1000 + (args.totp_offset ?? 30);
    user.sendMFACode(totp(args.totp_secret, at), callbacks, 'SOFTWARE_TOKEN_MFA');
  },
  mfaRequired() {
    finish({ error: 'SMS_MFA', message: 'SMS MFA is not driven by this script' }, 1);
  },
};

user.authenticateUser(
  new AuthenticationDetails({ Username: args.username, Password: args.password }),
  callbacks,
);
