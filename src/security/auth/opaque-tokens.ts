/**
 * @module Refresh tokens and API keys: random strings the server stores only as SHA-256 hashes. A fast
 * hash is right here, unlike for passwords: with 256 random bits there is nothing to guess, so
 * slowing down guessing buys nothing. An API key carries its row id, so the server finds the row
 * with one indexed lookup and then compares hashes in constant time.
 */
import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

export interface NewApiKey {
  readonly id: string;
  /** Shown to the user once, never stored. */
  readonly token: string;
  readonly hash: string;
  /** The first 12 characters of the token, safe to show in lists so users can tell keys apart. */
  readonly prefix: string;
}

const SECRET_BYTES = 32;
const ID_LENGTH = 16;
/** Base32 (RFC 4648, lower case): 32 symbols divide 256, so `byte % 32` picks each without bias. */
const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const PREFIX_LENGTH = 12;
/** 32 bytes are 43 base64url characters; the last one holds 4 bits, so only 16 symbols are canonical. */
const API_KEY = /^sy_(key_[a-z2-7]{16})_[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;

/** SHA-256 in hex; the one-shot `hash` costs a third of a Hash object, and every API request pays it. */
export function hashToken(token: string): string {
  return hash('sha256', token, 'hex');
}

export function newRefreshToken(): { readonly token: string; readonly hash: string } {
  const token = `syr_${randomBytes(SECRET_BYTES).toString('base64url')}`;
  return { token, hash: hashToken(token) };
}

export function newApiKey(): NewApiKey {
  const id = `key_${Array.from(randomBytes(ID_LENGTH), (byte) => ID_ALPHABET[byte % ID_ALPHABET.length]).join('')}`;
  const token = `sy_${id}_${randomBytes(SECRET_BYTES).toString('base64url')}`;
  return { id, token, hash: hashToken(token), prefix: token.slice(0, PREFIX_LENGTH) };
}

/** The key's id if the token has exactly the shape `newApiKey` makes, else undefined. */
export function parseApiKey(token: string): { readonly id: string } | undefined {
  const id = API_KEY.exec(token)?.[1];
  return id === undefined ? undefined : { id };
}

/** Whether a bearer token is meant as an API key (rather than an access token), to pick the check. */
export function looksLikeApiKey(token: string): boolean {
  return token.startsWith('sy_');
}

/** Compares two hex digests in time independent of where they differ; false if either is not hex. */
export function safeEqualHex(a: string, b: string): boolean {
  if (a.length !== b.length || !isHex(a) || !isHex(b)) return false;
  return timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));
}

function isHex(value: string): boolean {
  return /^(?:[0-9a-fA-F]{2})*$/.test(value);
}
