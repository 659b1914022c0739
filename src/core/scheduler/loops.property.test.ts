import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { drive } from '../../../test/support/drive-state.ts';
import { compile } from '../../../test/support/registry.ts';
import type { ReadyNode } from './records.ts';

/** start → loop(forEach) ⇄ body: work → check(condition) → next | break ; loop.done → after */
function mapWorkflow(concurrency: number) {
  return compile({
    format: 'switchyard/v1',
    name: 'map',
    nodes: [
      { id: 'start', type: 'start' },
      { id: 'each', type: 'loop', params: { concurrency } },
      { id: 'work', type: 'set', params: { fields: {} } },
      { id: 'check', type: 'condition', params: { condition: true } },
      { id: 'after', type: 'set', params: { fields: {} } },
    ],
    edges: [
      { from: 'start', to: 'each' },
      { from: 'each.item', to: 'work' },
      { from: 'work', to: 'check' },
      { from: 'check.true', to: 'each.next' },
      { from: 'check.false', to: 'each.break' },
      { from: 'each.done', to: 'after' },
    ],
  });
}

const run = (ready: ReadyNode, breakAt: number) => {
  switch (ready.node.id) {
    case 'each':
      return { status: 'succeeded' as const, outputs: { item: ready.input } };
    case 'work':
      return { status: 'succeeded' as const, outputs: { out: (ready.input as number) * 10 } };
    case 'check':
      return {
        status: 'succeeded' as const,
        outputs: { [ready.input === breakAt * 10 ? 'false' : 'true']: ready.input },
      };
    default:
      return { status: 'succeeded' as const, outputs: { out: ready.input } };
  }
};

describe('loops', () => {
  it('maps every item once, in order, never more than `concurrency` iterations at a time', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.nat(), { minLength: 1 }),
        (count, concurrency, picks) => {
          const items = Array.from({ length: count }, (_, i) => i);
          let p = 0;
          const trace = drive(mapWorkflow(concurrency), {
            input: items,
            pick: () => picks[p++ % picks.length]!,
            decide: (ready) => run(ready, -1),
          });
          expect(trace.state.outcome()).toEqual({ status: 'succeeded', output: items.map((i) => i * 10) });
          const workKeys = trace.taken.filter((k) => k.startsWith('work@'));
          expect(workKeys.sort()).toEqual(items.map((i) => `work@each#${i}`).sort());
          // Iterations in flight: opened (work taken) but not closed (check recorded).
          let open = 0;
          let peak = 0;
          for (const record of trace.log) {
            if (record.nodeId === 'work') peak = Math.max(peak, ++open);
            if (record.nodeId === 'check') open--;
          }
          expect(peak).toBeLessThanOrEqual(concurrency);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('stops opening iterations after a break and finishes the ones in flight', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 4 }),
        fc.nat(),
        (count, concurrency, at) => {
          const breakAt = at % count;
          const items = Array.from({ length: count }, (_, i) => i);
          const trace = drive(mapWorkflow(concurrency), {
            input: items,
            pick: () => 0,
            decide: (ready) => run(ready, breakAt),
          });
          const outcome = trace.state.outcome();
          expect(outcome.status).toBe('succeeded');
          const results = outcome.output as number[];
          // Every item up to the break ran; at most concurrency-1 more were already in flight.
          expect(results.slice(0, breakAt + 1)).toEqual(items.slice(0, breakAt + 1).map((i) => i * 10));
          expect(results.length).toBeLessThanOrEqual(Math.min(count, breakAt + concurrency));
        },
      ),
    );
  });

  it('repeat mode feeds each result into the next round until break or the cap', () => {
    const workflow = compile({
      format: 'switchyard/v1',
      name: 'repeat',
      nodes: [
        { id: 'start', type: 'start' },
        { id: 'again', type: 'loop', params: { mode: 'repeat', maxIterations: 50 } },
        { id: 'improve', type: 'set', params: { fields: {} } },
        { id: 'good', type: 'condition', params: { condition: true } },
      ],
      edges: [
        { from: 'start', to: 'again' },
        { from: 'again.item', to: 'improve' },
        { from: 'improve', to: 'good' },
        { from: 'good.true', to: 'again.break' },
        { from: 'good.false', to: 'again.next' },
      ],
    });
    const trace = drive(workflow, {
      input: 1,
      pick: () => 0,
      decide: (ready) => {
        if (ready.node.id === 'start') return { status: 'succeeded', outputs: { out: ready.input } };
        if (ready.node.id === 'again') return { status: 'succeeded', outputs: { item: ready.input } };
        if (ready.node.id === 'improve')
          return { status: 'succeeded', outputs: { out: (ready.input as number) * 2 } };
        const value = ready.input as number;
        return { status: 'succeeded', outputs: { [value >= 100 ? 'true' : 'false']: value } };
      },
    });
    expect(trace.state.outcome().output).toBe(128);
    expect(trace.taken.filter((k) => k.startsWith('improve')).length).toBe(7);
  });

  it('nested loops give each inner iteration its own scope', () => {
    const workflow = compile({
      format: 'switchyard/v1',
      name: 'nested',
      nodes: [
        { id: 'start', type: 'start' },
        { id: 'rows', type: 'loop', params: { concurrency: 2 } },
        { id: 'cells', type: 'loop', params: { concurrency: 3 } },
        { id: 'cell', type: 'set', params: { fields: {} } },
      ],
      edges: [
        { from: 'start', to: 'rows' },
        { from: 'rows.item', to: 'cells' },
        { from: 'cells.item', to: 'cell' },
        { from: 'cell', to: 'cells.next' },
        { from: 'cells.done', to: 'rows.next' },
      ],
    });
    const grid = [[1, 2], [3], [], [4, 5, 6]];
    const trace = drive(workflow, {
      input: grid,
      pick: (n) => n - 1,
      decide: (ready) =>
        ready.node.shape.role === 'loop'
          ? { status: 'succeeded', outputs: { item: ready.input } }
          : ready.node.id === 'start'
            ? { status: 'succeeded', outputs: { out: ready.input } }
            : { status: 'succeeded', outputs: { out: (ready.input as number) + 100 } },
    });
    expect(trace.state.outcome().output).toEqual([[101, 102], [103], [], [104, 105, 106]]);
    expect(trace.taken).toContain('cell@rows#3/cells#2');
  });
});
