/**
 * @module Access tokens: short-lived HS256 JWTs naming the user, workspace and sign-in session. One
 * algorithm is accepted and nothing in the token chooses it, so `alg: none`, other HMAC sizes and
 * public-key algorithms (the classic RS256-with-the-HMAC-secret confusion) are refused outright.
 */
import { hkdfSync, randomBytes } from 'node:crypto';
import { errors, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import { SwitchyardError } from '../../errors/switchyard-error.ts';

export interface AccessClaims {
  readonly userId: string;
  readonly workspaceId: string;
  /** The refresh-token family (one per sign-in), so logout can end it. */
  readonly sessionId: string;
}

export interface AccessTokenOptions {
  /** At least 32 bytes: HS256 is only as strong as its key. */
  readonly secret: Uint8Array;
  readonly issuer: string;
  readonly audience: string;
  readonly ttlSeconds: number;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
}

export const MIN_SECRET_BYTES = 32;
/** Ours are a few hundred bytes; a huge one is an attack on the parser, refused before it. */
export const MAX_TOKEN_LENGTH = 4096;

const ALGORITHM = 'HS256';
const TYPE = 'at+jwt';
/** Tolerates small clock skew between servers, never enough to matter for a short-lived token. */
const CLOCK_TOLERANCE_SECONDS = 5;
const REQUIRED_CLAIMS = ['sub', 'ws', 'sid', 'jti', 'iat', 'exp', 'iss', 'aud'];

export class AccessTokens {
  readonly #secret: Uint8Array;
  readonly #issuer: string;
  readonly #audience: string;
  readonly #ttlSeconds: number;
  readonly #now: () => number;

  constructor(options: AccessTokenOptions) {
    if (options.secret.byteLength < MIN_SECRET_BYTES) {
      throw new SwitchyardError(
        'SY_CONFIG_INVALID',
        `the access-token secret has ${options.secret.byteLength} bytes; it needs at least ${MIN_SECRET_BYTES}`,
      );
    }
    if (!options.issuer || !options.audience) {
      throw new SwitchyardError('SY_CONFIG_INVALID', 'access tokens need a non-empty issuer and audience');
    }
    if (!Number.isSafeInteger(options.ttlSeconds) || options.ttlSeconds < 1) {
      throw new SwitchyardError(
        'SY_CONFIG_INVALID',
        'the access-token lifetime must be a whole number of seconds ≥ 1',
      );
    }
    // A copy, so a caller reusing its buffer cannot change the key under us.
    this.#secret = Uint8Array.from(options.secret);
    this.#issuer = options.issuer;
    this.#audience = options.audience;
    this.#ttlSeconds = options.ttlSeconds;
    this.#now = options.now;
  }

  async issue(claims: AccessClaims): Promise<{ readonly token: string; readonly expiresAt: number }> {
    const issuedAt = Math.floor(this.#now() / 1000);
    const expiresAt = issuedAt + this.#ttlSeconds;
    const token = await new SignJWT({ ws: claims.workspaceId, sid: claims.sessionId })
      .setProtectedHeader({ alg: ALGORITHM, typ: TYPE })
      .setSubject(claims.userId)
      .setIssuer(this.#issuer)
      .setAudience(this.#audience)
      .setIssuedAt(issuedAt)
      .setExpirationTime(expiresAt)
      .setJti(randomBytes(16).toString('base64url'))
      .sign(this.#secret);
    return { token, expiresAt: expiresAt * 1000 };
  }

  /** Throws SY_AUTH_TOKEN_EXPIRED for a genuine but expired token, SY_AUTH_INVALID_TOKEN for anything else. */
  async verify(token: string): Promise<AccessClaims> {
    if (token.length > MAX_TOKEN_LENGTH) throw invalid('too long');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.#secret, {
        algorithms: [ALGORITHM],
        issuer: this.#issuer,
        audience: this.#audience,
        typ: TYPE,
        requiredClaims: REQUIRED_CLAIMS,
        currentDate: new Date(this.#now()),
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
      }));
    } catch (error) {
      // jose checks the signature before the claims, so "expired" is only ever said of our own tokens.
      if (error instanceof errors.JWTExpired) {
        throw new SwitchyardError('SY_AUTH_TOKEN_EXPIRED', 'the access token has expired');
      }
      // Untrusted input: whatever jose makes of it, the answer is 401, never 500.
      throw invalid(error instanceof errors.JOSEError ? error.code : 'unreadable');
    }
    const { sub, ws, sid } = payload;
    if (!isId(sub) || !isId(ws) || !isId(sid)) throw invalid('claims of the wrong type');
    return { userId: sub, workspaceId: ws, sessionId: sid };
  }
}

/** Derives the signing secret from a master secret so one configured key serves both (HKDF-SHA256, info 'switchyard access tokens v1'). */
export function deriveTokenSecret(master: Uint8Array): Uint8Array {
  if (master.byteLength < MIN_SECRET_BYTES) {
    throw new SwitchyardError(
      'SY_CONFIG_INVALID',
      `the master secret has ${master.byteLength} bytes; it needs at least ${MIN_SECRET_BYTES}`,
    );
  }
  return new Uint8Array(hkdfSync('sha256', master, new Uint8Array(0), 'switchyard access tokens v1', 32));
}

function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

/** The reason goes into details for the logs; the message stays generic, and never quotes the token. */
function invalid(reason: string): SwitchyardError {
  return new SwitchyardError('SY_AUTH_INVALID_TOKEN', 'the access token is not valid', {
    details: { reason },
  });
}
