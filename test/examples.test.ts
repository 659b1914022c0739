/** Every example runs offline as it is, with the input its header gives, to the output it promises. */
import { afterAll, describe, expect, it } from 'vitest';
import { createCliServices } from '../src/cli/services.ts';
import { createNodeRegistry } from '../src/nodes/registry.ts';
import { ExecutionRun } from '../src/runtime/execution-run.ts';
import { loadWorkflowFile } from '../src/workflow-file/load.ts';

const registry = createNodeRegistry();
const services = createCliServices(registry);
afterAll(() => services.code.dispose());

/** Node types that finished or failed in some example. */
const covered = new Set<string>();

async function run(file: string, input: unknown) {
  const loaded = await loadWorkflowFile(new URL(`../examples/${file}`, import.meta.url).pathname, registry);
  expect(loaded.problems).toEqual([]);
  const types = covered;
  const result = await new ExecutionRun(services, loaded.workflow!, {
    executionId: file,
    input,
    location: loaded.file,
    onEvent: (event) => {
      if (event.executionId === file && (event.type === 'node.finished' || event.type === 'node.failed')) {
        types.add(loaded.workflow!.byId.get(event.nodeId)!.definition.type);
      }
    },
  }).run();
  return { result };
}

describe('examples', () => {
  it('hello', async () => {
    const { result } = await run('hello.yaml', { name: 'Ada' });
    expect(result.output).toEqual({ message: 'Hello, Ada!', letters: 3 });
  });

  it('order-triage routes by size and region, and answers early', async () => {
    const input = (await import('../examples/order-triage.input.json', { with: { type: 'json' } })).default;
    const { result } = await run('order-triage.yaml', input);
    expect(result.output).toEqual({ order: 'ord-1042', total: 124.8, route: 'eu-warehouse' });
    expect(result.response).toEqual({
      status: 202,
      headers: {},
      body: { order: 'ord-1042', accepted: true },
    });
    const big = await run('order-triage.yaml', { ...input, lines: [{ sku: 'sofa', qty: 1, price: 1999 }] });
    expect(big.result.output).toMatchObject({ route: 'manual-review' });
    const uk = await run('order-triage.yaml', { ...input, country: 'GB' });
    expect(uk.result.output).toMatchObject({ route: 'uk-warehouse' });
  });

  it('fan-out joins with all, first and n of m', async () => {
    const { result } = await run('fan-out.yaml', { text: 'Durable workflows never lose work' });
    expect(result.output).toEqual({
      all: [
        { words: 5 },
        { shout: 'DURABLE WORKFLOWS NEVER LOSE WORK' },
        { reversed: 'krow esol reven swolfkrow elbaruD' },
      ],
      fastest: { shout: 'DURABLE WORKFLOWS NEVER LOSE WORK' },
      quorum: { words: { words: 5 }, reverse: { reversed: 'krow esol reven swolfkrow elbaruD' } },
    });
  });

  it('map-items maps with a concurrency limit', async () => {
    const { result } = await run('map-items.yaml', {
      cities: ['Lyon', 'Oslo', 'Quito', 'Pune', 'Perth'],
    });
    expect(result.output).toEqual({ cities: 5, letters: 22, longest: 'Quito' });
  });

  it('draft-and-review repeats until the reviewer is satisfied', async () => {
    const { result } = await run('draft-and-review.yaml', { draft: 'ok', score: 0 });
    expect(result.output).toMatchObject({ rounds: 3, draft: 'ok and better and better and better' });
  });

  it('errors-and-retries retries, then branches and continues', async () => {
    const { result } = await run('errors-and-retries.yaml', null);
    expect(result).toMatchObject({
      status: 'succeeded',
      output: { used: 'fallback', parseError: 'SY_CODE_ERROR' },
    });
  });

  it('invoice calls a sub-workflow per line', async () => {
    const { result } = await run('invoice.yaml', {
      lines: [
        { net: 100, rate: 0.2 },
        { net: 40, rate: 0.055 },
      ],
    });
    expect(result.output).toEqual({ net: 140, tax: 22.2, gross: 162.2 });
  });

  it('together they cover every control node', () => {
    const control = [
      'start',
      'set',
      'transform',
      'condition',
      'switch',
      'loop',
      'merge',
      'parallel',
      'delay',
      'subworkflow',
      'respond',
      'end',
      'code',
    ];
    expect(control.filter((t) => !covered.has(t))).toEqual([]);
  });
});
