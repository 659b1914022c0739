/**
 * @module Webhook signatures: HMAC-SHA256 over `${timestamp}.${raw body}` in hex, compared in constant
 * time, with the timestamp inside a window against replays. The secret comes from a credential of the
 * workflow's workspace (or an environment variable) that the node names; it is never in the workflow.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { SwitchyardError } from '../errors/switchyard-error.ts';
import type { WebhookParams } from '../nodes/webhook.ts';

type SignatureParams = NonNullable<WebhookParams['signature']>;

const HEX_SHA256 = /^(?:sha256=)?([0-9a-fA-F]{64})$/;

export function signBody(secret: string, timestamp: string, raw: Buffer): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(raw).digest('hex');
}

/** Throws SY_WEBHOOK_SIGNATURE unless the request is signed with the secret, recently. */
/**
 * The shared secret: the `secret` field of the workspace's credential the node names, or the
 * environment variable it names. Missing either way fails closed with SY_WEBHOOK_SECRET_MISSING.
 */
export async function signingSecret(
  params: SignatureParams,
  credential: (name: string) => Promise<Readonly<Record<string, string>>>,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<string> {
  if (params.secretCredential !== undefined) {
    const name = params.secretCredential;
    const data = await credential(name).catch((error: unknown) => {
      throw new SwitchyardError(
        'SY_WEBHOOK_SECRET_MISSING',
        `the webhook's signing credential "${name}" cannot be read`,
        {
          cause: error,
        },
      );
    });
    if (!data.secret) {
      throw new SwitchyardError(
        'SY_WEBHOOK_SECRET_MISSING',
        `the credential "${name}" has no \`secret\` field`,
      );
    }
    return data.secret;
  }
  const secret = params.secretEnv === undefined ? undefined : env[params.secretEnv];
  if (!secret) {
    throw new SwitchyardError(
      'SY_WEBHOOK_SECRET_MISSING',
      `the webhook's signing secret variable ${params.secretEnv} is not set`,
    );
  }
  return secret;
}

/** Returns the verified signature (lower-case hex), so that the caller can refuse it the second time. */
export function verifySignature(
  params: SignatureParams,
  secret: string,
  headers: IncomingHttpHeaders,
  raw: Buffer,
  nowMs: number,
): string {
  const signature = headers[params.header];
  const timestamp = headers[params.timestampHeader];
  if (typeof signature !== 'string' || typeof timestamp !== 'string') {
    throw refused(`the request needs one ${params.header} and one ${params.timestampHeader} header`);
  }
  if (!/^\d{1,12}$/.test(timestamp)) throw refused(`${params.timestampHeader} is not a Unix time in seconds`);
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > params.toleranceSeconds) {
    throw refused(`${params.timestampHeader} is more than ${params.toleranceSeconds} s from now`);
  }
  const given = HEX_SHA256.exec(signature)?.[1];
  const expected = Buffer.from(signBody(secret, timestamp, raw), 'hex');
  if (given === undefined || !timingSafeEqual(Buffer.from(given, 'hex'), expected)) {
    throw refused('the signature does not match the body');
  }
  return given.toLowerCase();
}

function refused(message: string): SwitchyardError {
  return new SwitchyardError('SY_WEBHOOK_SIGNATURE', message);
}
