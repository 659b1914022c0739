/**
 * @module Envelope encryption with AES-256-GCM: every sealed value has its own random data key,
 * which is itself encrypted ("wrapped") under a master key and stored beside the ciphertext as
 *
 *     sy1.<key id>.<wrap iv + wrapped data key + wrap tag>.<iv>.<ciphertext + tag>   (base64url parts)
 *
 * Rotating the master key then means re-wrapping 32 bytes per record, never re-encrypting data.
 * Both layers authenticate the record's `aad`, so a sealed value copied into another record does
 * not open; the wrap also authenticates the key id. Anything that fails a check fails closed.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { SwitchyardError } from '../../errors/switchyard-error.ts';
import { KEY_ID, type KeyRing, type MasterKey } from './key-ring.ts';

const VERSION = 'sy1';
const CIPHER = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const WRAPPED_BYTES = IV_BYTES + KEY_BYTES + TAG_BYTES;
const BASE64URL = /^[A-Za-z0-9_-]*$/;

interface Envelope {
  readonly keyId: string;
  readonly wrapped: Buffer;
  readonly iv: Buffer;
  readonly data: Buffer;
}

/** Encrypts `plaintext` for the record `aad` names, under a fresh data key wrapped by the current key. */
export function seal(ring: KeyRing, plaintext: Uint8Array | string, aad: string): string {
  const dataKey = randomBytes(KEY_BYTES);
  try {
    const iv = randomBytes(IV_BYTES);
    const data = encrypt(
      dataKey,
      iv,
      typeof plaintext === 'string' ? Buffer.from(plaintext) : plaintext,
      dataAad(aad),
    );
    return format({ keyId: ring.current.id, wrapped: wrap(ring.current, dataKey, aad), iv, data });
  } finally {
    dataKey.fill(0);
  }
}

/** Decrypts what `seal` produced for the same `aad`; throws SY_VAULT_TAMPERED on any mismatch. */
export function open(ring: KeyRing, sealed: string, aad: string): Buffer {
  const envelope = parse(sealed);
  const dataKey = unwrap(ring, envelope, aad);
  try {
    return decrypt(dataKey, envelope.iv, envelope.data, dataAad(aad));
  } finally {
    dataKey.fill(0);
  }
}

/** The id of the master key that wraps `sealed`, so a rotation job can find what still needs re-wrapping. */
export function sealedKeyId(sealed: string): string {
  return parse(sealed).keyId;
}

/**
 * Re-wraps the data key of `sealed` under `ring.current`, leaving the data's ciphertext as it was.
 * The data is still checked first, so a rotation job reports a tampered record instead of
 * re-sealing it; a value already under the current key comes back unchanged.
 */
export function rewrap(ring: KeyRing, sealed: string, aad: string): string {
  const envelope = parse(sealed);
  const dataKey = unwrap(ring, envelope, aad);
  try {
    decrypt(dataKey, envelope.iv, envelope.data, dataAad(aad)).fill(0);
    if (envelope.keyId === ring.current.id) return sealed;
    return format({ ...envelope, keyId: ring.current.id, wrapped: wrap(ring.current, dataKey, aad) });
  } finally {
    dataKey.fill(0);
  }
}

function wrap(master: MasterKey, dataKey: Buffer, aad: string): Buffer {
  const iv = randomBytes(IV_BYTES);
  return Buffer.concat([iv, encrypt(master.key, iv, dataKey, wrapAad(master.id, aad))]);
}

function unwrap(ring: KeyRing, envelope: Envelope, aad: string): Buffer {
  const master = ring.get(envelope.keyId);
  if (master === undefined) {
    throw new SwitchyardError(
      'SY_VAULT_KEY_MISSING',
      `the value is sealed under master key "${envelope.keyId}", which is not configured (configured: ${ring.ids.join(', ')})`,
      { details: { keyId: envelope.keyId } },
    );
  }
  const iv = envelope.wrapped.subarray(0, IV_BYTES);
  return decrypt(master.key, iv, envelope.wrapped.subarray(IV_BYTES), wrapAad(master.id, aad));
}

function encrypt(key: Buffer, iv: Buffer, plaintext: Uint8Array, aad: Buffer): Buffer {
  const cipher = createCipheriv(CIPHER, key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

function decrypt(key: Buffer, iv: Buffer, sealedData: Buffer, aad: Buffer): Buffer {
  try {
    const decipher = createDecipheriv(CIPHER, key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(sealedData.subarray(sealedData.length - TAG_BYTES));
    return Buffer.concat([
      decipher.update(sealedData.subarray(0, sealedData.length - TAG_BYTES)),
      decipher.final(),
    ]);
  } catch {
    // OpenSSL's reason adds nothing, and the cause must not carry buffers into logs.
    throw tampered('it failed its integrity check (wrong record, altered ciphertext or altered key)');
  }
}

// Domain-separated, so the wrapped key and the data can never be swapped for one another.
function dataAad(aad: string): Buffer {
  return Buffer.from(`${VERSION}\0data\0${aad}`);
}

function wrapAad(keyId: string, aad: string): Buffer {
  return Buffer.from(`${VERSION}\0wrap\0${keyId}\0${aad}`);
}

function format({ keyId, wrapped, iv, data }: Envelope): string {
  return [
    VERSION,
    keyId,
    wrapped.toString('base64url'),
    iv.toString('base64url'),
    data.toString('base64url'),
  ].join('.');
}

function parse(sealed: string): Envelope {
  const parts = sealed.split('.');
  if (parts.length !== 5 || parts[0] !== VERSION) throw tampered(`it is not a ${VERSION} sealed value`);
  const [, keyId = '', wrapped = '', iv = '', data = ''] = parts;
  if (!KEY_ID.test(keyId)) throw tampered('its key id is malformed');
  const envelope = { keyId, wrapped: decodePart(wrapped), iv: decodePart(iv), data: decodePart(data) };
  if (
    envelope.wrapped.length !== WRAPPED_BYTES ||
    envelope.iv.length !== IV_BYTES ||
    envelope.data.length < TAG_BYTES
  ) {
    throw tampered('a part has the wrong length');
  }
  return envelope;
}

/** Strict: Node's decoder skips stray characters and ignores trailing bits, which would let altered text open. */
function decodePart(part: string): Buffer {
  const bytes = BASE64URL.test(part) ? Buffer.from(part, 'base64url') : undefined;
  if (bytes === undefined || bytes.toString('base64url') !== part)
    throw tampered('a part is not canonical base64url');
  return bytes;
}

function tampered(why: string): SwitchyardError {
  return new SwitchyardError('SY_VAULT_TAMPERED', `the sealed value was not decrypted: ${why}`);
}
