import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { startWorker } from './small-young-generation.ts';

// Allocates young objects, some surviving a while (which is what makes V8 grow its young
// generation), then reports how large the young generation became.
const allocating = new URL(
  `data:text/javascript,${encodeURIComponent(`
    import { getHeapSpaceStatistics } from 'node:v8';
    import { parentPort } from 'node:worker_threads';
    let kept = [];
    for (let i = 0; i < 300_000; i++) {
      kept.push({ i, text: 'x' + i });
      if (kept.length > 50_000) kept = [];
    }
    const young = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
    parentPort.postMessage(young.physical_space_size / 2 ** 20);
  `)}`,
);

function youngGenerationMb(worker: Worker): Promise<number> {
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (mb: number) => {
      resolve(mb);
      void worker.terminate();
    });
  });
}

describe('startWorker', () => {
  it("keeps the worker's young generation at V8's smallest, and leaves later workers as the process was started", async () => {
    expect(await youngGenerationMb(startWorker(allocating))).toBeLessThanOrEqual(2);
    expect(await youngGenerationMb(new Worker(allocating))).toBeGreaterThan(4);
  });

  it('leaves later workers as the process was started when a worker cannot be made', async () => {
    expect(() => startWorker(allocating, { execArgv: 'not a list' as never })).toThrow();
    expect(await youngGenerationMb(new Worker(allocating))).toBeGreaterThan(4);
  });
});
