/**
 * @module `http`: one HTTP request through the workspace's SSRF-guarded client (`ctx.http`), with
 * optional auth from a workspace credential, and the response decoded as JSON, text or base64.
 * Credential values go into the request only: never into the output or an error message.
 */
import { z } from 'zod';
import { SwitchyardError } from '../errors/switchyard-error.ts';
import type { CredentialData, NodeContext, OutboundResponse } from './context.ts';
import { defineNode, taskShape } from './node-type.ts';

const MIB = 1024 * 1024;
const EXCERPT_BYTES = 1024;
const REDACTED = '[redacted]';

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const scalarRecord = z.record(z.string(), scalar);

const params = z
  .strictObject({
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']).default('GET'),
    url: z
      .string()
      .min(1)
      .max(8192)
      .describe('Absolute http(s) URL. Internal addresses are refused unless the allow-list opens them.'),
    query: scalarRecord.optional().describe('Query parameters, added to any already in the URL.'),
    headers: z.record(z.string(), z.string()).optional().describe('Request headers.'),
    body: z
      .unknown()
      .optional()
      .describe('Request body: any JSON value (a string for text, an object for form).'),
    bodyType: z
      .enum(['json', 'text', 'form'])
      .default('json')
      .describe('How the body is sent: JSON, plain text, or application/x-www-form-urlencoded.'),
    credential: z.string().min(1).optional().describe('Name of the workspace credential used by `auth`.'),
    auth: z
      .enum(['bearer', 'basic', 'header', 'query'])
      .optional()
      .describe(
        'bearer: Authorization: Bearer {token}; basic: {username}/{password}; header: {name}: {value}; query: ?{name}={value}.',
      ),
    timeoutMs: z
      .int()
      .min(1)
      .max(300_000)
      .default(30_000)
      .describe('For the whole request, redirects included.'),
    maxResponseBytes: z
      .int()
      .min(1)
      .max(100 * MIB)
      .default(10 * MIB),
    followRedirects: z.boolean().default(true).describe('Follow 3xx redirects (each one is checked again).'),
    response: z
      .enum(['auto', 'json', 'text', 'base64'])
      .default('auto')
      .describe(
        'auto: JSON when the content type says so (text if it does not parse), text for text/*, else base64.',
      ),
    failOnStatus: z
      .boolean()
      .default(true)
      .describe(
        'Fail on a status outside 2xx (3xx too, unless redirects are not followed); 429 and 5xx are retryable.',
      ),
  })
  .refine((p) => (p.credential === undefined) === (p.auth === undefined), {
    message: 'give `credential` and `auth` together',
    path: ['auth'],
  })
  .refine((p) => p.bodyType !== 'text' || p.body === undefined || typeof p.body === 'string', {
    message: 'a text body must be a string',
    path: ['body'],
  })
  .refine((p) => p.bodyType !== 'form' || p.body === undefined || scalarRecord.safeParse(p.body).success, {
    message: 'a form body must be an object of strings, numbers and booleans',
    path: ['body'],
  });

export type HttpParams = z.output<typeof params>;

/** The http node's parameters, with their defaults: agents build their HTTP tools' requests with it. */
export const httpParams = params;

export const httpNode = defineNode({
  type: 'http',
  title: 'HTTP request',
  description:
    'Sends an HTTP request (internal addresses are blocked unless allowed) and outputs `{ status, headers, body, url }`.',
  category: 'integration',
  params,
  shape: taskShape(),
  run: async (ctx, { params: p }) => ({ out: await sendHttp(ctx, p) }),
});

/** One request as the node sends it: also the http tool of agents. */
export async function sendHttp(ctx: NodeContext, p: HttpParams) {
  const url = URL.parse(p.url);
  if (!url) {
    throw new SwitchyardError('SY_OUTBOUND_URL_INVALID', `"${p.url.slice(0, 200)}" is not a valid URL`, {
      path: 'params.url',
    });
  }
  for (const [name, value] of Object.entries(p.query ?? {})) url.searchParams.append(name, String(value));
  const headers = Object.fromEntries(
    Object.entries(p.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
  );
  const body = encodeBody(p, headers);
  const secrets: string[] = [];
  if (p.credential !== undefined && p.auth !== undefined) {
    const data = await ctx.credential(p.credential);
    secrets.push(...applyAuth(p.auth, p.credential, data, url, headers));
  }
  const response = await ctx.http(
    {
      method: p.method,
      url: url.href,
      headers,
      ...(body === undefined ? {} : { body }),
      timeoutMs: p.timeoutMs,
      maxResponseBytes: p.maxResponseBytes,
      followRedirects: p.followRedirects,
    },
    ctx.signal,
  );
  const answeredUrl = redactUrl(response.url, secrets);
  if (p.failOnStatus && failed(response.status, p.followRedirects))
    throw statusError(p, response, answeredUrl, secrets);
  return {
    status: response.status,
    headers: response.headers,
    body: decodeBody(response, p.response, `${p.method} ${withoutQuery(answeredUrl)}`),
    url: answeredUrl,
  };
}

function encodeBody(p: HttpParams, headers: Record<string, string>): string | undefined {
  if (p.body === undefined) return undefined;
  if (p.bodyType === 'text') {
    headers['content-type'] ??= 'text/plain; charset=utf-8';
    return String(p.body);
  }
  if (p.bodyType === 'form') {
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
    const fields = Object.entries(scalarRecord.parse(p.body));
    return new URLSearchParams(
      fields.map(([name, value]): [string, string] => [name, String(value)]),
    ).toString();
  }
  headers['content-type'] ??= 'application/json';
  return JSON.stringify(p.body);
}

/** Puts the credential where `auth` says; returns the values it used, to keep them out of the output. */
function applyAuth(
  auth: NonNullable<HttpParams['auth']>,
  name: string,
  data: CredentialData,
  url: URL,
  headers: Record<string, string>,
): string[] {
  const field = (key: string) => {
    const value = data[key];
    if (value === undefined || value === '') {
      throw new SwitchyardError(
        'SY_NODE_PARAMS_INVALID',
        `credential "${name}" has no "${key}" field, which ${auth} auth needs`,
        {
          path: 'params.credential',
          hint: `${auth} auth reads ${AUTH_FIELDS[auth]} from the credential.`,
        },
      );
    }
    return value;
  };
  switch (auth) {
    case 'bearer': {
      const token = field('token');
      headers.authorization = `Bearer ${token}`;
      return [token];
    }
    case 'basic': {
      const [username, password] = [field('username'), field('password')];
      const encoded = Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
      headers.authorization = `Basic ${encoded}`;
      return [password, encoded];
    }
    case 'header': {
      const value = field('value');
      headers[field('name').toLowerCase()] = value;
      return [value];
    }
    case 'query': {
      const value = field('value');
      url.searchParams.set(field('name'), value);
      return [value];
    }
  }
}

const AUTH_FIELDS = {
  bearer: '`token`',
  basic: '`username` and `password`',
  header: '`name` and `value`',
  query: '`name` and `value`',
} as const;

function failed(status: number, followRedirects: boolean): boolean {
  if (status >= 200 && status < 300) return false;
  return !(status >= 300 && status < 400 && !followRedirects);
}

function statusError(
  p: HttpParams,
  response: OutboundResponse,
  answeredUrl: string,
  secrets: readonly string[],
): SwitchyardError {
  // Read past the cut by the longest secret, so that no secret is cut in half and left half shown.
  const margin = Math.max(0, ...secrets.map((secret) => secret.length));
  const text = new TextDecoder().decode(response.body.subarray(0, EXCERPT_BYTES + margin));
  return new SwitchyardError(
    'SY_OUTBOUND_STATUS',
    `${p.method} ${withoutQuery(answeredUrl)} answered ${response.status}`,
    {
      details: { status: response.status, body: redact(text, secrets).slice(0, EXCERPT_BYTES) },
      retryable: response.status === 429 || response.status >= 500,
    },
  );
}

function decodeBody(response: OutboundResponse, mode: HttpParams['response'], what: string): unknown {
  const contentType = response.headers['content-type']?.toLowerCase() ?? '';
  const media = contentType.split(';')[0]?.trim() ?? '';
  const isJson = media === 'application/json' || media.endsWith('+json');
  const kind = mode !== 'auto' ? mode : isJson ? 'json' : media.startsWith('text/') ? 'text' : 'base64';
  if (kind === 'base64') return Buffer.from(response.body).toString('base64');
  const text = decodeText(response.body, contentType);
  if (kind === 'text') return text;
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text);
  } catch (error) {
    if (mode === 'auto') return text;
    throw new SwitchyardError('SY_OUTBOUND_FAILED', `${what} answered with a body that is not JSON`, {
      cause: error,
      retryable: false,
      hint: 'Set `response: text` to take the body as it is.',
    });
  }
}

function decodeText(body: Uint8Array, contentType: string): string {
  const charset = /charset="?([\w-]+)"?/.exec(contentType)?.[1] ?? 'utf-8';
  try {
    return new TextDecoder(charset).decode(body);
  } catch {
    // An unknown charset label: UTF-8 is the best guess.
    return new TextDecoder().decode(body);
  }
}

function withoutQuery(url: string): string {
  const parsed = URL.parse(url);
  return parsed ? `${parsed.origin}${parsed.pathname}` : url;
}

function redactUrl(raw: string, secrets: readonly string[]): string {
  const url = URL.parse(raw);
  if (!url) return redact(raw, secrets);
  for (const [name, value] of [...url.searchParams]) {
    if (secrets.includes(value)) url.searchParams.set(name, REDACTED);
  }
  return redact(url.href, secrets);
}

function redact(text: string, secrets: readonly string[]): string {
  return secrets.reduce((result, secret) => (secret ? result.replaceAll(secret, REDACTED) : result), text);
}
