/**
 * @module The pino logger factory: JSON lines by default; pretty (pino-pretty) when
 * SWITCHYARD_LOG_FORMAT=pretty or stdout is a terminal; level from SWITCHYARD_LOG_LEVEL.
 */
import { createRequire } from 'node:module';
import pino, { type DestinationStream, type Logger } from 'pino';
import { redactingLogMethod, type SecretRedactor } from '../security/redact/secret-redactor.ts';
import { REDACTED_PATHS } from './redaction.ts';

export type { Logger };

export interface LoggerOptions {
  readonly level?: string;
  readonly format?: 'json' | 'pretty';
  /** Where lines go; stdout when absent. */
  readonly destination?: DestinationStream;
  /** Scrubs the secrets it knows from every line. */
  readonly redactor?: SecretRedactor;
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? 'info';
  const config = {
    level,
    base: { service: 'switchyard' },
    redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
    ...(options.redactor ? { hooks: { logMethod: redactingLogMethod(options.redactor) } } : {}),
  };
  if (options.format === 'pretty') {
    // In-process pretty stream, not a transport: no worker thread, and lines keep their order with stdout.
    // Loaded only here: a server logging JSON does not carry it.
    const pretty = createRequire(import.meta.url)('pino-pretty') as typeof import('pino-pretty');
    const stream = pretty({
      colorize: options.destination === undefined && process.stdout.isTTY === true,
      sync: true,
      ...(options.destination ? { destination: options.destination } : {}),
    });
    return pino(config, stream);
  }
  return options.destination ? pino(config, options.destination) : pino(config);
}

/** The options `switchyard serve` reads from its environment; an unknown level is refused. */
export function loggerOptionsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  stdoutIsTty = process.stdout.isTTY === true,
): LoggerOptions {
  const level = env.SWITCHYARD_LOG_LEVEL?.trim().toLowerCase() || 'info';
  if (!LEVELS.includes(level)) {
    throw new Error(`SWITCHYARD_LOG_LEVEL "${env.SWITCHYARD_LOG_LEVEL}" is not one of ${LEVELS.join(', ')}`);
  }
  const format = env.SWITCHYARD_LOG_FORMAT?.trim().toLowerCase();
  return { level, format: format === 'pretty' || (format !== 'json' && stdoutIsTty) ? 'pretty' : 'json' };
}
