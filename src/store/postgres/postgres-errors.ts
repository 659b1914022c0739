/** @module What PostgreSQL's and pg's errors mean to Switchyard: unavailable, conflict, or a bug. */
import { SwitchyardError } from '../../errors/switchyard-error.ts';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'EHOSTUNREACH',
]);

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

/** Connection exceptions (class 08), shutdowns (57P0x), too many connections, or a dropped socket. */
export function isConnectionError(error: unknown): boolean {
  const code = codeOf(error);
  if (code !== undefined) {
    return NETWORK_CODES.has(code) || code.startsWith('08') || code.startsWith('57P') || code === '53300';
  }
  return (
    error instanceof Error &&
    /connection terminated|timeout exceeded when trying to connect/i.test(error.message)
  );
}

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an unparseable URL)';
  }
}

export function unavailableError(location: string, cause: unknown): SwitchyardError {
  const reason = cause instanceof Error && cause.message !== '' ? cause.message : String(cause);
  return new SwitchyardError(
    'SY_STORE_UNAVAILABLE',
    `PostgreSQL at ${location} cannot be reached: ${reason}.`,
    {
      details: { url: location },
      cause,
    },
  );
}

export function translatePostgresError(error: unknown, location: string): unknown {
  if (error instanceof SwitchyardError) return error;
  if (codeOf(error) === '23505') {
    const detail =
      typeof error === 'object' && error !== null && 'detail' in error ? String(error.detail) : '';
    return new SwitchyardError(
      'SY_STORE_CONFLICT',
      `A record with this key exists already${detail ? ` (${detail})` : ''}.`,
      {
        cause: error,
      },
    );
  }
  if (isConnectionError(error)) return unavailableError(location, error);
  return error;
}
