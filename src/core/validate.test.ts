import { describe, expect, it } from 'vitest';
import { registry } from '../../test/support/registry.ts';
import { validateWorkflow } from './validate.ts';

const base = (nodes: unknown[], edges: unknown[] = [], extra: Record<string, unknown> = {}) => ({
  format: 'switchyard/v1',
  name: 'test',
  nodes,
  edges,
  ...extra,
});

function problemsOf(document: unknown) {
  return validateWorkflow(document, registry).problems.map((p) => ({ code: p.code, path: p.path }));
}

describe('validateWorkflow', () => {
  it('accepts a valid workflow and compiles it', () => {
    const result = validateWorkflow(
      base(
        [
          { id: 'start', type: 'start' },
          { id: 'a', type: 'set', params: { fields: { x: '{{ 1 + 1 }}' } } },
        ],
        [{ from: 'start', to: 'a' }],
      ),
      registry,
    );
    expect(result.problems).toEqual([]);
    expect(result.workflow?.nodes.map((n) => n.id)).toEqual(['start', 'a']);
  });

  it('reports every problem at once, each with a path, a code, a message and a hint', () => {
    const document = base(
      [
        { id: 'start', type: 'start' },
        { id: 'a', type: 'sett', params: {} },
        { id: 'b', type: 'condition', params: { condition: '{{ total > }}' } },
        { id: 'b', type: 'set', params: { fields: {} } },
        { id: 'c', type: 'loop', params: { concurrency: 'many' } },
        { id: 'lonely', type: 'set', params: { fields: {} } },
      ],
      [
        { from: 'start', to: 'b' },
        { from: 'b.maybe', to: 'c' },
        { from: 'start', to: 'ghost' },
      ],
    );
    const { problems } = validateWorkflow(document, registry);
    expect(problems.map((p) => [p.code, p.path])).toEqual([
      ['SY_WF_UNREACHABLE', 'nodes[1]'],
      ['SY_WF_UNKNOWN_NODE_TYPE', 'nodes[1].type'],
      ['SY_WF_EXPRESSION', 'nodes[2].params.condition'],
      ['SY_WF_DUPLICATE_ID', 'nodes[3].id'],
      ['SY_WF_PARAMS_INVALID', 'nodes[4].params.concurrency'],
      ['SY_WF_UNREACHABLE', 'nodes[5]'],
      ['SY_WF_DANGLING_EDGE', 'edges[2].to'],
    ]);
    const unknown = problems.find((p) => p.code === 'SY_WF_UNKNOWN_NODE_TYPE')!;
    expect(unknown.message).toContain('did you mean "set"');
    for (const p of problems) expect(p.hint.length).toBeGreaterThan(5);
  });

  it('names unknown ports and lists the ones that exist', () => {
    const problems = validateWorkflow(
      base(
        [
          { id: 'start', type: 'start' },
          { id: 'if', type: 'condition', params: { condition: true } },
          { id: 'x', type: 'set', params: { fields: {} } },
        ],
        [
          { from: 'start', to: 'if' },
          { from: 'if.maybe', to: 'x' },
        ],
      ),
      registry,
    ).problems;
    expect(problems[0]).toMatchObject({ code: 'SY_WF_UNKNOWN_PORT', path: 'edges[1].from' });
    expect(problems[0]!.message).toContain('"true", "false", "error"');
  });

  it('finds cycles that skip a loop, but accepts loops back into a loop node', () => {
    expect(
      problemsOf(
        base(
          [
            { id: 'start', type: 'start' },
            { id: 'a', type: 'set', params: { fields: {} } },
            { id: 'b', type: 'set', params: { fields: {} } },
          ],
          [
            { from: 'start', to: 'a' },
            { from: 'a', to: 'b' },
            { from: 'b', to: 'a' },
          ],
        ),
      ),
    ).toContainEqual({ code: 'SY_WF_CYCLE', path: 'nodes[1]' });
    expect(
      problemsOf(
        base(
          [
            { id: 'start', type: 'start' },
            { id: 'each', type: 'loop' },
            { id: 'body', type: 'set', params: { fields: {} } },
          ],
          [
            { from: 'start', to: 'each' },
            { from: 'each.item', to: 'body' },
            { from: 'body', to: 'each.next' },
          ],
        ),
      ),
    ).toEqual([]);
  });

  it('refuses edges that cross a loop body and body nodes that never lead back', () => {
    const problems = problemsOf(
      base(
        [
          { id: 'start', type: 'start' },
          { id: 'each', type: 'loop' },
          { id: 'body', type: 'set', params: { fields: {} } },
          { id: 'side', type: 'set', params: { fields: {} } },
          { id: 'outside', type: 'set', params: { fields: {} } },
        ],
        [
          { from: 'start', to: 'each' },
          { from: 'each.item', to: 'body' },
          { from: 'body', to: 'each.next' },
          { from: 'body', to: 'side' },
          { from: 'start', to: 'outside' },
          { from: 'outside', to: 'body' },
        ],
      ),
    );
    expect(problems).toContainEqual({ code: 'SY_WF_LOOP_BODY', path: 'edges[5]' });
    expect(problems).toContainEqual({ code: 'SY_WF_LOOP_BODY', path: 'nodes[3]' });
  });

  it('requires an entry node, and nothing flowing into it', () => {
    expect(problemsOf(base([{ id: 'a', type: 'set', params: { fields: {} } }]))).toContainEqual({
      code: 'SY_WF_NO_ENTRY',
      path: 'nodes',
    });
    expect(
      problemsOf(
        base(
          [
            { id: 'start', type: 'start' },
            { id: 'a', type: 'set', params: { fields: {} } },
          ],
          [
            { from: 'start', to: 'a' },
            { from: 'a', to: 'start' },
          ],
        ),
      ),
    ).toContainEqual({ code: 'SY_WF_ENTRY_INPUT', path: 'edges[1].to' });
  });

  it('refuses unknown fields, a missing format and error ports without onError: branch', () => {
    const problems = problemsOf({
      name: 'x',
      nodes: [
        { id: 'start', type: 'start', colour: 'red' },
        { id: 'a', type: 'set', params: { fields: {} } },
      ],
      edges: [{ from: 'start.error', to: 'a' }],
    });
    expect(problems).toContainEqual({ code: 'SY_WF_SCHEMA', path: 'format' });
    expect(problems).toContainEqual({ code: 'SY_WF_SCHEMA', path: 'nodes[0].colour' });
  });

  it('tolerates expressions where a typed parameter is expected, but not in graph-shaping ones', () => {
    const ok = problemsOf(
      base(
        [
          { id: 'start', type: 'start' },
          { id: 'wait', type: 'delay', params: { ms: '{{ $input.wait }}' } },
        ],
        [{ from: 'start', to: 'wait' }],
      ),
    );
    expect(ok).toEqual([]);
    const bad = problemsOf(
      base(
        [
          { id: 'start', type: 'start' },
          { id: 'each', type: 'loop', params: { concurrency: '{{ 3 }}' } },
          { id: 'body', type: 'set', params: { fields: {} } },
        ],
        [
          { from: 'start', to: 'each' },
          { from: 'each.item', to: 'body' },
          { from: 'body', to: 'each.next' },
        ],
      ),
    );
    expect(bad).toContainEqual({ code: 'SY_WF_STATIC_PARAM', path: 'nodes[1].params.concurrency' });
  });

  it('validates a 10,000-node chain quickly and without deep recursion', () => {
    const nodes: unknown[] = [{ id: 'start', type: 'start' }];
    const edges: unknown[] = [];
    for (let i = 0; i < 10_000; i++) {
      nodes.push({ id: `n${i}`, type: 'set', params: { fields: {} } });
      edges.push({ from: i === 0 ? 'start' : `n${i - 1}`, to: `n${i}` });
    }
    expect(problemsOf(base(nodes, edges))).toEqual([]);
  });
});
