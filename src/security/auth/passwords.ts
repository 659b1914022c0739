/**
 * @module Password hashing and the password policy. Hashes are argon2id PHC strings with the OWASP
 * parameters; a sign-in for an unknown e-mail spends the same time as one for a known e-mail, so
 * response times do not reveal which accounts exist.
 */
import { type Algorithm, hash, type Options, verify } from '@node-rs/argon2';
import { COMMON_PASSWORDS } from './common-passwords.ts';

/** `Algorithm` is declared as an ambient const enum, which isolated modules may not read; 2 is its Argon2id. */
const ARGON2ID: Algorithm.Argon2id = 2;

/** OWASP's argon2id recommendation: 19 MiB, 2 passes, 1 lane. */
export const ARGON2_OPTIONS = {
  algorithm: ARGON2ID,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const satisfies Options;

export const MIN_PASSWORD_LENGTH = 12;
/** Longer inputs are refused before hashing: argon2 over megabytes of attacker input is a DoS. */
export const MAX_PASSWORD_LENGTH = 1024;

/**
 * A hash, with the parameters above, of a random string nobody knows. `verifyNothing` checks against it
 * so an unknown account costs one real argon2 verification, like a known one. Fixed rather than
 * computed at start-up so that even the first unknown-account sign-in is not faster or slower.
 */
export const DECOY_HASH =
  '$argon2id$v=19$m=19456,t=2,p=1$SjyijvbUoIoXsrwqrnYMew$Y6WexUFvNzE+LNltQP1ktuGeum2T0n3+NVrPvt/SyZw';

export async function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

/** False on a mismatch, a malformed hash or an overlong password; never throws for those. */
export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  if (password.length > MAX_PASSWORD_LENGTH) return false;
  try {
    return await verify(hash, password);
  } catch {
    return false;
  }
}

/** Spends the same time as a real verify, for unknown accounts, so timing does not reveal which e-mails exist. */
export async function verifyNothing(password: string): Promise<false> {
  await verifyPassword(DECOY_HASH, password);
  return false;
}

/** Undefined when the password is acceptable, else a sentence saying what is wrong with it. */
export function passwordProblem(password: string, context: { readonly email?: string }): string | undefined {
  const characters = [...password];
  if (characters.length < MIN_PASSWORD_LENGTH) {
    return `The password needs at least ${MIN_PASSWORD_LENGTH} characters.`;
  }
  if (characters.length > MAX_PASSWORD_LENGTH) {
    return `The password may have at most ${MAX_PASSWORD_LENGTH} characters.`;
  }
  const lower = password.toLowerCase();
  const email = context.email?.trim().toLowerCase();
  const localPart = email?.split('@')[0];
  if (email && (lower === email || lower === localPart)) {
    return 'The password may not be the e-mail address or its part before the @.';
  }
  if (new Set(characters).size === 1) return 'The password may not repeat a single character.';
  if (COMMON_PASSWORDS.has(lower)) return 'The password is one of the most commonly used ones.';
  return undefined;
}
