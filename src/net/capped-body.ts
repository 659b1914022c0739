/**
 * @module Reads a response body into memory up to a size cap, counting while it streams: the
 * connection is torn down as soon as the cap is passed (or as soon as Content-Length announces
 * more), so a huge or endless body costs at most the cap.
 */
import { SwitchyardError } from '../errors/switchyard-error.ts';

export interface BodyStream extends AsyncIterable<Uint8Array> {
  destroy(): unknown;
  on(event: 'error', listener: () => void): unknown;
}

export async function readCapped(
  body: BodyStream,
  maxBytes: number,
  declaredLength: string | undefined,
  what: string,
): Promise<Uint8Array> {
  const tooLarge = (size: string) =>
    new SwitchyardError(
      'SY_OUTBOUND_TOO_LARGE',
      `${what} answered with ${size}, over the ${maxBytes}-byte limit`,
      {
        details: { maxBytes },
      },
    );
  if (declaredLength !== undefined && Number(declaredLength) > maxBytes) {
    // Destroying emits the stream's own abort error, which nobody is waiting for.
    body.on('error', () => undefined);
    body.destroy();
    throw tooLarge(`${declaredLength} bytes`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    // Leaving the loop destroys the stream, which drops the connection.
    if (size > maxBytes) throw tooLarge('more bytes');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}
