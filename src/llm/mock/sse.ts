/**
 * @module Server-sent events, paced: a response is a list of frames, written as one buffer when nothing
 * makes it wait, else flushed before each wait — first-token delay, delay between deltas, a stall, a drop.
 */
import type { ServerResponse } from 'node:http';
import type { Pace } from './answer.ts';
import { closeSignal, wait } from './pacing.ts';

/**
 * `head` frames go out with the headers (Anthropic's `message_start`); a `delta` carries generated content
 * and counts as a chunk for pacing; `other` frames (role, block start/stop, finish, usage) ride along.
 */
export interface Frame {
  readonly kind: 'head' | 'delta' | 'other';
  readonly data: string;
}

export function dataFrame(kind: Frame['kind'], payload: unknown): Frame {
  return { kind, data: `data: ${JSON.stringify(payload)}\n\n` };
}

export function eventFrame(kind: Frame['kind'], event: string, payload: unknown): Frame {
  return { kind, data: `event: ${event}\ndata: ${JSON.stringify(payload)}\n\n` };
}

const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
};

export async function writeFrames(res: ServerResponse, frames: readonly Frame[], pace: Pace): Promise<void> {
  res.writeHead(200, SSE_HEADERS);
  const paced =
    pace.firstTokenDelayMs > 0 ||
    pace.chunkDelayMs > 0 ||
    pace.stallAfterChunks !== undefined ||
    pace.dropMidStream;
  if (!paced) {
    res.end(frames.map((frame) => frame.data).join(''));
    return;
  }
  res.flushHeaders();
  const signal = closeSignal(res);
  const dropAfter = pace.dropMidStream ? halfOfDeltas(frames) : undefined;
  let pending = '';
  let deltas = 0;
  let started = false;
  let stalled = false;
  const waitFor = async (ms: number | undefined): Promise<boolean> => {
    if (pending !== '') res.write(pending);
    pending = '';
    return wait(ms, signal);
  };
  for (const frame of frames) {
    if (frame.kind !== 'head') {
      if (!started) {
        started = true;
        // Headers go out now, so a client sees a slow first token rather than a slow connection.
        if (pace.firstTokenDelayMs > 0 && !(await waitFor(pace.firstTokenDelayMs))) return;
      } else if (frame.kind === 'delta' && deltas > 0 && pace.chunkDelayMs > 0) {
        if (!(await waitFor(pace.chunkDelayMs))) return;
      }
      if (!stalled && deltas === pace.stallAfterChunks) {
        stalled = true;
        if (!(await waitFor(pace.stallMs))) return;
      }
      if (deltas === dropAfter) {
        // Destroyed once what came before is on the wire: the client sees a partial stream, then a reset.
        if (pending === '') res.destroy();
        else res.write(pending, () => res.destroy());
        return;
      }
    }
    if (frame.kind === 'delta') deltas++;
    pending += frame.data;
  }
  res.end(pending);
}

/** At least one delta arrives before the drop, and the end never does. */
function halfOfDeltas(frames: readonly Frame[]): number {
  const deltas = frames.filter((frame) => frame.kind === 'delta').length;
  return Math.max(Math.min(1, deltas), Math.floor(deltas / 2));
}
