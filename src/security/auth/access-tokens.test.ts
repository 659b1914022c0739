import { generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { SwitchyardError } from '../../errors/switchyard-error.ts';
import { type AccessClaims, AccessTokens, deriveTokenSecret, MAX_TOKEN_LENGTH } from './access-tokens.ts';

const SECRET = new Uint8Array(32).fill(7);
const OTHER_SECRET = new Uint8Array(32).fill(8);
const ISSUER = 'https://switchyard.test';
const AUDIENCE = 'switchyard-api';
const START = 1_750_000_000_000;
const CLAIMS: AccessClaims = { userId: 'usr_1', workspaceId: 'ws_1', sessionId: 'ses_1' };

function setup(ttlSeconds = 900) {
  const clock = { now: START };
  const tokens = new AccessTokens({
    secret: SECRET,
    issuer: ISSUER,
    audience: AUDIENCE,
    ttlSeconds,
    now: () => clock.now,
  });
  return { clock, tokens };
}

/** A token as an attacker would build it: our claims by default, any header, any key, any algorithm. */
async function forge(
  options: {
    alg?: string;
    key?: Parameters<SignJWT['sign']>[0];
    typ?: string;
    claims?: Record<string, unknown>;
    issuer?: string;
    audience?: string;
  } = {},
): Promise<string> {
  const seconds = START / 1000;
  return new SignJWT(options.claims ?? { ws: 'ws_1', sid: 'ses_1', sub: 'usr_1', jti: 'j1' })
    .setProtectedHeader({ alg: options.alg ?? 'HS256', typ: options.typ ?? 'at+jwt' })
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .setIssuedAt(seconds)
    .setExpirationTime(seconds + 600)
    .sign(options.key ?? SECRET);
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(SwitchyardError);
  return (error as SwitchyardError).code;
}

function segment(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('AccessTokens', () => {
  it('verifies the tokens it issues, back to the claims', async () => {
    const { tokens } = setup();
    const { token, expiresAt } = await tokens.issue(CLAIMS);
    expect(expiresAt).toBe(START + 900_000);
    expect(await tokens.verify(token)).toEqual(CLAIMS);
  });

  it('issues HS256 at+jwt tokens with the documented claims and a random jti', async () => {
    const { tokens } = setup();
    const [a, b] = [(await tokens.issue(CLAIMS)).token, (await tokens.issue(CLAIMS)).token];
    const [header, payload] = a
      .split('.')
      .slice(0, 2)
      .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
    expect(header).toEqual({ alg: 'HS256', typ: 'at+jwt' });
    expect(payload).toMatchObject({
      sub: 'usr_1',
      ws: 'ws_1',
      sid: 'ses_1',
      iss: ISSUER,
      aud: AUDIENCE,
      iat: START / 1000,
      exp: START / 1000 + 900,
    });
    expect(payload.jti).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(a).not.toBe(b);
  });

  it('says expired once the lifetime (plus at most 5 s of skew) has passed', async () => {
    const { clock, tokens } = setup(60);
    const { token } = await tokens.issue(CLAIMS);
    clock.now = START + 60_000;
    expect(await tokens.verify(token)).toEqual(CLAIMS);
    clock.now = START + 66_000;
    expect(await codeOf(tokens.verify(token))).toBe('SY_AUTH_TOKEN_EXPIRED');
  });

  it('says invalid, not expired, for an expired token signed with another key', async () => {
    const { clock, tokens } = setup();
    const token = await forge({ key: OTHER_SECRET });
    clock.now = START + 3_600_000;
    expect(await codeOf(tokens.verify(token))).toBe('SY_AUTH_INVALID_TOKEN');
  });

  it.each([
    ['another issuer', () => forge({ issuer: 'https://evil.test' })],
    ['another audience', () => forge({ audience: 'other-api' })],
    ['another typ', () => forge({ typ: 'JWT' })],
    ['another secret', () => forge({ key: OTHER_SECRET })],
    ['HS512 with the same secret', () => forge({ alg: 'HS512', key: SECRET })],
    ['HS384 with the same secret', () => forge({ alg: 'HS384', key: SECRET })],
    ['no ws claim', () => forge({ claims: { sid: 'ses_1', sub: 'usr_1', jti: 'j1' } })],
    ['no sid claim', () => forge({ claims: { ws: 'ws_1', sub: 'usr_1', jti: 'j1' } })],
    ['no sub claim', () => forge({ claims: { ws: 'ws_1', sid: 'ses_1', jti: 'j1' } })],
    ['no jti claim', () => forge({ claims: { ws: 'ws_1', sid: 'ses_1', sub: 'usr_1' } })],
    ['a numeric sub', () => forge({ claims: { ws: 'ws_1', sid: 'ses_1', sub: 42, jti: 'j1' } })],
    ['an object ws', () => forge({ claims: { ws: { id: 'ws_1' }, sid: 'ses_1', sub: 'usr_1', jti: 'j1' } })],
    ['an empty sid', () => forge({ claims: { ws: 'ws_1', sid: '', sub: 'usr_1', jti: 'j1' } })],
    [
      'RS256 with a generated key pair',
      async () => forge({ alg: 'RS256', key: (await generateKeyPair('RS256')).privateKey }),
    ],
    [
      'ES256 with a generated key pair',
      async () => forge({ alg: 'ES256', key: (await generateKeyPair('ES256')).privateKey }),
    ],
  ])('refuses a token with %s', async (_name, make) => {
    const { tokens } = setup();
    expect(await codeOf(tokens.verify(await make()))).toBe('SY_AUTH_INVALID_TOKEN');
  });

  it('refuses alg none, however the header spells it', async () => {
    const { tokens } = setup();
    const seconds = START / 1000;
    const payload = segment({
      sub: 'usr_1',
      ws: 'ws_1',
      sid: 'ses_1',
      jti: 'j',
      iss: ISSUER,
      aud: AUDIENCE,
      iat: seconds,
      exp: seconds + 60,
    });
    for (const alg of ['none', 'None', 'NONE']) {
      const header = segment({ alg, typ: 'at+jwt' });
      expect(await codeOf(tokens.verify(`${header}.${payload}.`))).toBe('SY_AUTH_INVALID_TOKEN');
      const signed = (await tokens.issue(CLAIMS)).token.split('.')[2];
      expect(await codeOf(tokens.verify(`${header}.${payload}.${signed}`))).toBe('SY_AUTH_INVALID_TOKEN');
    }
  });

  it('refuses a tampered payload or signature', async () => {
    const { tokens } = setup();
    const { token } = await tokens.issue(CLAIMS);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const promoted = segment({ ...claims, sub: 'usr_admin' });
    expect(await codeOf(tokens.verify(`${header}.${promoted}.${signature}`))).toBe('SY_AUTH_INVALID_TOKEN');
    const flipped = `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;
    expect(await codeOf(tokens.verify(`${header}.${payload}.${flipped}`))).toBe('SY_AUTH_INVALID_TOKEN');
    expect(await codeOf(tokens.verify(`${header}.${payload}`))).toBe('SY_AUTH_INVALID_TOKEN');
  });

  it('refuses malformed and overlong tokens, without quoting them', async () => {
    const { tokens } = setup();
    const { token } = await tokens.issue(CLAIMS);
    for (const bad of ['', 'abc', 'a.b.c', '...', `${token}.x`, `${token}${'A'.repeat(MAX_TOKEN_LENGTH)}`]) {
      const error = await tokens.verify(bad).catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(SwitchyardError);
      expect((error as SwitchyardError).code).toBe('SY_AUTH_INVALID_TOKEN');
      expect(JSON.stringify((error as SwitchyardError).toData())).not.toContain(token.slice(-20));
    }
    const long = await forge({
      claims: { ws: 'ws_1', sid: 'ses_1', sub: 'usr_1', jti: 'j', pad: 'x'.repeat(5000) },
    });
    expect(await codeOf(tokens.verify(long))).toBe('SY_AUTH_INVALID_TOKEN');
  });

  it('refuses weak configuration', () => {
    const base = { secret: SECRET, issuer: ISSUER, audience: AUDIENCE, ttlSeconds: 60, now: Date.now };
    expect(() => new AccessTokens({ ...base, secret: new Uint8Array(31) })).toThrow(
      expect.objectContaining({ code: 'SY_CONFIG_INVALID' }),
    );
    expect(() => new AccessTokens({ ...base, issuer: '' })).toThrow(
      expect.objectContaining({ code: 'SY_CONFIG_INVALID' }),
    );
    expect(() => new AccessTokens({ ...base, ttlSeconds: 0 })).toThrow(
      expect.objectContaining({ code: 'SY_CONFIG_INVALID' }),
    );
  });

  it('keeps its own copy of the secret', async () => {
    const secret = Uint8Array.from(SECRET);
    const tokens = new AccessTokens({
      secret,
      issuer: ISSUER,
      audience: AUDIENCE,
      ttlSeconds: 60,
      now: () => START,
    });
    const { token } = await tokens.issue(CLAIMS);
    secret.fill(0);
    expect(await tokens.verify(token)).toEqual(CLAIMS);
  });
});

describe('deriveTokenSecret', () => {
  it('is stable, 32 bytes, distinct from its input and from other masters', () => {
    const master = new Uint8Array(32).fill(1);
    const derived = deriveTokenSecret(master);
    expect(derived).toHaveLength(32);
    expect(deriveTokenSecret(Uint8Array.from(master))).toEqual(derived);
    expect(Buffer.from(derived).equals(Buffer.from(master))).toBe(false);
    expect(deriveTokenSecret(new Uint8Array(32).fill(2))).not.toEqual(derived);
    // Pins the construction (HKDF-SHA256, empty salt, the documented info): tokens must survive upgrades.
    expect(Buffer.from(derived).toString('hex')).toMatchInlineSnapshot(
      `"67b7387b345886a0acd7912f6c0833f515d947f6af028543eebcf15ed6244914"`,
    );
  });

  it('refuses a master secret shorter than 32 bytes', () => {
    expect(() => deriveTokenSecret(new Uint8Array(16))).toThrow(
      expect.objectContaining({ code: 'SY_CONFIG_INVALID' }),
    );
  });
});
