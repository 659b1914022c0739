/** @module The one place where secrets are kept out of logs (redaction itself comes with issue 5). */

/** pino `redact` paths; empty until secrets exist (issue 5) — add them here, nowhere else. */
export const REDACTED_PATHS: readonly string[] = [];
