/**
 * @module Plain `node:http` plumbing for the mock LLM: reading a capped body, and sending a JSON response
 * whole, late, never (a stall) or half (a drop), as the reply's pace says.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Pace } from './answer.ts';
import { closeSignal, wait } from './pacing.ts';

/** Far above any test prompt; guards the demo server against a runaway client. */
const MAX_BODY_BYTES = 32 * 1024 * 1024;

/** The body as text, or undefined if it is larger than the cap. */
export function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () =>
      resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks, size).toString('utf8')),
    );
    req.on('error', reject);
  });
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/**
 * A whole JSON answer after the time streaming it would take (first token, then one delay per chunk of
 * `outputChars`); a stall holds it back, a drop sends half the bytes and resets the connection.
 */
export async function sendJsonPaced(
  res: ServerResponse,
  body: unknown,
  outputChars: number,
  pace: Pace,
  headers: Record<string, string> = {},
): Promise<void> {
  const chunks = Math.ceil(outputChars / pace.chunkSize);
  const delayMs = pace.firstTokenDelayMs + pace.chunkDelayMs * Math.max(0, chunks - 1);
  if (delayMs > 0 || pace.stallAfterChunks !== undefined) {
    const signal = closeSignal(res);
    if (!(await wait(delayMs, signal))) return;
    if (pace.stallAfterChunks !== undefined && !(await wait(pace.stallMs, signal))) return;
  }
  if (!pace.dropMidStream) {
    sendJson(res, 200, body, headers);
    return;
  }
  const bytes = Buffer.from(JSON.stringify(body));
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': bytes.length, ...headers });
  res.write(bytes.subarray(0, bytes.length >> 1), () => res.destroy());
}
