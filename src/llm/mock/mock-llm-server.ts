/**
 * @module A local LLM server speaking the OpenAI (`/v1/chat/completions`, `/v1/embeddings`, `/v1/models`)
 * and Anthropic (`/v1/messages`) wire protocols, answering from a script: the upstream of tests, benchmarks
 * and offline demos. Plain `node:http` and no per-request validation beyond narrowing, to stay cheap at
 * thousands of requests a second.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerOf, type Fault, faultOf, outputCharsOf, paceOf } from './answer.ts';
import { anthropicModels, anthropicProtocol } from './anthropic-protocol.ts';
import { embeddingsResponse, readEmbeddingsRequest } from './embeddings.ts';
import { readBody, sendJson, sendJsonPaced } from './http.ts';
import { openAiModels, openAiProtocol } from './openai-protocol.ts';
import { closeSignal, wait } from './pacing.ts';
import type { ChatProtocol } from './protocol.ts';
import { type MockScript, type Protocol, ScriptMatcher } from './script.ts';
import { writeFrames } from './sse.ts';
import { isRecord } from './values.ts';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly model: string | undefined;
  readonly protocol: Protocol;
  readonly stream: boolean;
  /** The parsed JSON body; undefined without one or if it did not parse. */
  readonly body: unknown;
  readonly headers: IncomingHttpHeaders;
  /** Epoch milliseconds at arrival. */
  readonly at: number;
}

export interface MockLlmServer {
  /** `http://HOST:PORT`; the OpenAI base URL is `${url}/v1`. */
  readonly url: string;
  readonly requests: readonly RecordedRequest[];
  /** Replaces the behaviours (and restarts the `times` counts) for the requests to come. */
  setScript(script: MockScript): void;
  /** Stops listening and destroys open connections, stalled streams included. */
  close(): Promise<void>;
}

export interface MockLlmServerOptions {
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  readonly host?: string;
  readonly script?: MockScript;
  /** Keep every request in `requests` (default true); a long-running demo or benchmark turns it off. */
  readonly record?: boolean;
}

/** Always listed by `GET /v1/models`, besides the models a script names. */
const DEFAULT_MODELS = ['mock-small', 'mock-large', 'mock-claude', 'mock-embed'];

export async function startMockLlmServer(options: MockLlmServerOptions = {}): Promise<MockLlmServer> {
  const requests: RecordedRequest[] = [];
  const record = options.record ?? true;
  let matcher = new ScriptMatcher(options.script ?? { rules: [] });
  let counter = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    const protocol = protocolOf(path, req.headers);
    const chat =
      path === '/v1/chat/completions'
        ? openAiProtocol
        : path === '/v1/messages'
          ? anthropicProtocol
          : undefined;
    const errorBody = protocol === 'anthropic' ? anthropicProtocol.error : openAiProtocol.error;

    const known = method === 'POST' && (chat !== undefined || path === '/v1/embeddings');
    const text = known ? await readBody(req) : undefined;
    let body: unknown;
    let malformed = false;
    if (text !== undefined) {
      try {
        body = JSON.parse(text);
      } catch {
        malformed = true;
      }
    }
    const fields = isRecord(body) ? body : {};
    if (record) {
      requests.push({
        method,
        path,
        model: typeof fields.model === 'string' ? fields.model : undefined,
        protocol,
        stream: fields.stream === true,
        body,
        headers: req.headers,
        at: Date.now(),
      });
    }
    if (method === 'GET' && path === '/v1/models') {
      const names = [...new Set([...DEFAULT_MODELS, ...matcher.modelNames()])];
      sendJson(res, 200, protocol === 'anthropic' ? anthropicModels(names) : openAiModels(names));
      return;
    }
    if (!known) {
      sendJson(res, 404, errorBody(404, `Unknown request URL: ${method} ${path}`));
      return;
    }
    if (text === undefined) {
      sendJson(res, 413, errorBody(413, 'The request body is too large.'));
      return;
    }
    if (malformed) {
      sendJson(res, 400, errorBody(400, 'The request body is not valid JSON.'));
      return;
    }
    if (chat === undefined) await serveEmbeddings(res, body);
    else await serveChat(res, chat, body);
  };

  const serveChat = async (res: ServerResponse, protocol: ChatProtocol, body: unknown): Promise<void> => {
    const request = protocol.read(body);
    if (typeof request === 'string') {
      sendJson(res, 400, protocol.error(400, request));
      return;
    }
    const reply = matcher.match(request);
    const answer = answerOf(request, reply, () => `${protocol.toolIdPrefix}${++counter}`);
    if (answer.kind === 'error' || answer.kind === 'drop-before-headers') {
      await sendFault(res, protocol, answer);
      return;
    }
    const id = `${protocol.responseIdPrefix}${++counter}`;
    if (request.stream) await writeFrames(res, protocol.frames(request, answer, id), answer.pace);
    else
      await sendJsonPaced(res, protocol.completion(request, answer, id), outputCharsOf(answer), answer.pace);
  };

  const serveEmbeddings = async (res: ServerResponse, body: unknown): Promise<void> => {
    const request = readEmbeddingsRequest(body);
    if (typeof request === 'string') {
      sendJson(res, 400, openAiProtocol.error(400, request));
      return;
    }
    const reply = matcher.match({
      model: request.model,
      protocol: 'openai',
      lastUserText: request.inputs.join('\n'),
    });
    const fault = faultOf(reply);
    if (fault !== undefined) await sendFault(res, openAiProtocol, fault);
    else await sendJsonPaced(res, embeddingsResponse(request), 0, paceOf(reply));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) res.destroy();
      else sendJson(res, 500, { error: { message: error instanceof Error ? error.message : String(error) } });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    requests,
    setScript(script) {
      matcher = new ScriptMatcher(script);
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function protocolOf(path: string, headers: IncomingHttpHeaders): Protocol {
  if (path === '/v1/messages' || path.startsWith('/v1/messages/')) return 'anthropic';
  return headers['anthropic-version'] === undefined ? 'openai' : 'anthropic';
}

/** An error status with the protocol's body and `Retry-After`, or a connection reset before any header. */
async function sendFault(res: ServerResponse, protocol: ChatProtocol, fault: Fault): Promise<void> {
  if (fault.pace.firstTokenDelayMs > 0 && !(await wait(fault.pace.firstTokenDelayMs, closeSignal(res))))
    return;
  if (fault.kind === 'drop-before-headers') {
    res.destroy();
    return;
  }
  const { status, message, retryAfterSeconds, type } = fault;
  const headers: Record<string, string> =
    retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) };
  sendJson(res, status, protocol.error(status, message ?? defaultMessage(status), type), headers);
}

function defaultMessage(status: number): string {
  if (status === 429) return 'Rate limit reached for requests (mock).';
  if (status >= 500) return 'The server had an error while processing your request (mock).';
  return `Request failed with status ${status} (mock).`;
}
