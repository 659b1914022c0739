import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { drive } from '../../../test/support/drive-state.ts';
import { compile } from '../../../test/support/registry.ts';
import type { ReadyNode } from './records.ts';

type Kind = 'set' | 'condition' | 'merge-all' | 'merge-first' | 'merge-count';

interface RandomDag {
  readonly kinds: Kind[];
  /** parents[i]: the parents of node i (all < i). */
  readonly parents: number[][];
  /** For condition nodes: which port each parent edge leaves from is decided per source. */
  readonly fromPorts: string[][];
}

const dagArbitrary: fc.Arbitrary<RandomDag> = fc
  .integer({ min: 2, max: 24 })
  .chain((n) =>
    fc.tuple(
      fc.array(fc.constantFrom<Kind>('set', 'set', 'condition', 'merge-all', 'merge-first', 'merge-count'), {
        minLength: n,
        maxLength: n,
      }),
      fc.array(
        fc.tuple(
          fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
          fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
        ),
        {
          minLength: n,
          maxLength: n,
        },
      ),
    ),
  )
  .map(([kinds, raw]) => {
    kinds[0] = 'set';
    const parents: number[][] = [[]];
    const fromPorts: string[][] = [[]];
    for (let i = 1; i < kinds.length; i++) {
      const [picks, flags] = raw[i]!;
      const unique = [...new Set(picks.map((p) => p % i))];
      parents.push(unique);
      fromPorts.push(
        unique.map((p, k) => (kinds[p] === 'condition' ? (flags[k] ? 'true' : 'false') : 'out')),
      );
    }
    return { kinds, parents, fromPorts };
  });

function toDocument(dag: RandomDag) {
  const nodes = [
    { id: 'start', type: 'start' },
    ...dag.kinds.map((kind, i) => ({ id: `n${i}`, ...nodeOf(kind) })),
  ];
  const edges = [{ from: 'start', to: 'n0' }];
  dag.parents.forEach((parents, i) => {
    parents.forEach((p, k) => {
      edges.push({ from: `n${p}.${dag.fromPorts[i]![k]}`, to: `n${i}` });
    });
  });
  return { format: 'switchyard/v1', name: 'random', nodes, edges };
}

function nodeOf(kind: Kind) {
  switch (kind) {
    case 'set':
      return { type: 'set', params: { fields: {} } };
    case 'condition':
      return { type: 'condition', params: { condition: true } };
    case 'merge-all':
      return { type: 'merge', params: { mode: 'all' } };
    case 'merge-first':
      return { type: 'merge', params: { mode: 'first' } };
    case 'merge-count':
      return { type: 'merge', params: { mode: 'count', count: 2 } };
  }
}

/** Deterministic "random" port choice for condition nodes, from the seed and the node id. */
function conditionPort(seed: number, nodeId: string): 'true' | 'false' {
  let h = seed;
  for (const ch of nodeId) h = (h * 31 + ch.charCodeAt(0)) | 0;
  return (h >>> 3) % 2 === 0 ? 'true' : 'false';
}

describe('scheduler on random DAGs', () => {
  it('runs each node at most once, never before its inputs, exactly when a live edge reaches it', () => {
    fc.assert(
      fc.property(dagArbitrary, fc.integer(), fc.array(fc.nat(), { minLength: 1 }), (dag, seed, picks) => {
        const workflow = compile(toDocument(dag));
        let pickIndex = 0;
        const decide = (ready: ReadyNode) => {
          const type = ready.node.definition.type;
          if (type === 'condition')
            return {
              status: 'succeeded' as const,
              outputs: { [conditionPort(seed, ready.node.id)]: ready.input },
            };
          return { status: 'succeeded' as const, outputs: { out: ready.node.id } };
        };
        const trace = drive(workflow, { pick: () => picks[pickIndex++ % picks.length]!, decide });

        // Reference: walk the DAG in index order, deciding liveness independently of the scheduler.
        const fired = new Map<string, string | undefined>();
        fired.set('start', 'out');
        const ran = new Set<string>(['start']);
        dag.kinds.forEach((kind, i) => {
          const id = `n${i}`;
          const sources =
            i === 0
              ? [{ id: 'start', port: 'out' }]
              : dag.parents[i]!.map((p, k) => ({ id: `n${p}`, port: dag.fromPorts[i]![k]! }));
          const live = sources.filter((s) => ran.has(s.id) && fired.get(s.id) === s.port).length;
          if (live > 0) {
            ran.add(id);
            fired.set(id, kind === 'condition' ? conditionPort(seed, id) : 'out');
          }
        });
        expect(new Set(trace.taken)).toEqual(ran);
        expect(trace.taken.length).toBe(ran.size);

        // Order: a node waiting for all inputs starts only after every parent that ran was recorded.
        const recordedAt = new Map(trace.log.map((r, i) => [r.nodeId, i]));
        const takenAt = new Map(trace.taken.map((k, i) => [k, i]));
        for (const [i, kind] of dag.kinds.entries()) {
          const id = `n${i}`;
          if (!ran.has(id) || kind === 'merge-first' || kind === 'merge-count') continue;
          for (const p of dag.parents[i]!) {
            const parent = `n${p}`;
            if (!ran.has(parent)) continue;
            const parentRecord = recordedAt.get(parent)!;
            const takenIndex = takenAt.get(id)!;
            // the parent was recorded before this node was handed out
            const recordsBeforeTake = trace.log.findIndex((r) => r.nodeId === id);
            expect(parentRecord).toBeLessThan(recordsBeforeTake);
            expect(takenIndex).toBeGreaterThan(trace.taken.indexOf(parent));
          }
        }
        expect(trace.state.isDone()).toBe(true);
        expect(trace.state.outcome().status).toBe('succeeded');
      }),
      { numRuns: 300 },
    );
  });

  it('resumes from any prefix of the log to the same result (replay is the same code path)', () => {
    fc.assert(
      fc.property(dagArbitrary, fc.integer(), fc.nat(), (dag, seed, cut) => {
        const workflow = compile(toDocument(dag));
        const decide = (ready: ReadyNode) =>
          ready.node.definition.type === 'condition'
            ? { status: 'succeeded' as const, outputs: { [conditionPort(seed, ready.node.id)]: ready.input } }
            : { status: 'succeeded' as const, outputs: { out: ready.node.id } };
        const full = drive(workflow, { pick: () => 0, decide });
        const prefix = full.log.slice(0, cut % (full.log.length + 1));
        const resumed = drive(workflow, { pick: () => 0, decide, log: prefix });
        expect(new Set(resumed.log.map((r) => r.nodeId))).toEqual(new Set(full.log.map((r) => r.nodeId)));
        // Nothing in the prefix runs again.
        for (const record of prefix) expect(resumed.taken).not.toContain(record.nodeId);
        expect(resumed.state.outcome()).toEqual(full.state.outcome());
      }),
      { numRuns: 200 },
    );
  });
});
