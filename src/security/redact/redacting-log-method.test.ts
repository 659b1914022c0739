import pino, { type Logger } from 'pino';
import { describe, expect, it } from 'vitest';
import { secretForms } from './secret-forms.ts';
import { REDACTED, redactingLogMethod, SecretRedactor } from './secret-redactor.ts';

const secret = 'sk-"live"/+token?=ü';

function capturingLogger(redactor?: SecretRedactor): { logger: Logger; output: () => string } {
  const lines: string[] = [];
  const logger = pino(
    { level: 'trace', ...(redactor ? { hooks: { logMethod: redactingLogMethod(redactor) } } : {}) },
    { write: (line: string) => lines.push(line) },
  );
  return { logger, output: () => lines.join('') };
}

function logEverywhere(logger: Logger): void {
  logger.info(`connecting with ${secret}`);
  logger.info({ headers: { authorization: `Bearer ${secret}` }, [secret]: 'as a key' }, 'request sent');
  logger.warn('token %s in a format argument', secret);
  logger.debug(
    { encoded: Buffer.from(secret).toString('base64'), query: encodeURIComponent(secret) },
    'encoded',
  );
  logger.error(new Error(`upstream refused ${secret}`));
  logger.error({ err: new Error(`wrapped ${secret}`, { cause: new Error(`cause ${secret}`) }) }, 'failed');
}

describe('redactingLogMethod', () => {
  it('without the hook, the secret reaches the log (the test can fail)', () => {
    const { logger, output } = capturingLogger();
    logEverywhere(logger);
    expect(secretForms(secret).some((form) => output().includes(form))).toBe(true);
  });

  it('keeps every form of a secret out of a real pino logger: message, fields, keys, arguments and errors', () => {
    const redactor = new SecretRedactor();
    redactor.add(secret);
    const { logger, output } = capturingLogger(redactor);
    logEverywhere(logger);
    const text = output();
    for (const form of secretForms(secret)) expect(text).not.toContain(form);
    expect(text).toContain(JSON.stringify(`connecting with ${REDACTED}`));
    expect(text).toContain(`"authorization":"Bearer ${REDACTED}"`);
    expect(text).toContain(`"${REDACTED}":"as a key"`);
    expect(text).toContain(`upstream refused ${REDACTED}`);
    expect(text).toContain(`cause ${REDACTED}`);
    // pino still recognises the redacted errors as errors.
    expect(text).toContain('"type":"Error"');
    expect(text.trim().split('\n')).toHaveLength(6);
  });

  it('passes arguments through untouched while no secret is registered', () => {
    const { logger, output } = capturingLogger(new SecretRedactor());
    logger.info({ a: 1 }, 'plain');
    expect(JSON.parse(output())).toMatchObject({ a: 1, msg: 'plain' });
  });
});
