/**
 * @module The one place where secrets are kept out of logs: fields that carry credentials by their
 * nature are censored by path, and every known secret value (credentials opened by the vault) is
 * scrubbed wherever it appears, through the redactor's log hook.
 */

/** pino `redact` paths: credential-bearing fields, whatever their value. */
export const REDACTED_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'req.headers["sec-websocket-protocol"]',
  'res.headers["set-cookie"]',
  'password',
  '*.password',
  'accessToken',
  '*.accessToken',
  'refreshToken',
  '*.refreshToken',
];
