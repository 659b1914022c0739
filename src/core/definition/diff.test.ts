import { describe, expect, it } from 'vitest';
import { diffWorkflows } from './diff.ts';

const base = {
  format: 'switchyard/v1',
  name: 'orders',
  nodes: [
    { id: 'start', type: 'start' },
    { id: 'check', type: 'condition', params: { condition: '{{ total > 100 }}' } },
  ],
  edges: [{ from: 'start', to: 'check' }],
};

describe('diffWorkflows', () => {
  it('finds nothing between a definition and a reordered copy of it', () => {
    const reordered = {
      ...base,
      nodes: [...base.nodes].reverse(),
      edges: [{ from: 'start.out', to: 'check.in' }],
    };
    expect(diffWorkflows(base, reordered).identical).toBe(true);
  });

  it('names added, removed and changed nodes, edges and fields', () => {
    const after = {
      ...base,
      name: 'orders v2',
      nodes: [
        { id: 'start', type: 'start' },
        {
          id: 'check',
          type: 'condition',
          params: { condition: '{{ total > 500 }}' },
          retry: { attempts: 2 },
        },
        { id: 'notify', type: 'set', params: { fields: {} } },
      ],
      edges: [
        { from: 'start', to: 'check' },
        { from: 'check.true', to: 'notify' },
      ],
    };
    expect(diffWorkflows(base, after)).toEqual({
      nodes: { added: ['notify'], removed: [], changed: [{ id: 'check', fields: ['params', 'retry'] }] },
      edges: { added: ['check.true → notify.in'], removed: [] },
      fields: ['name'],
      identical: false,
    });
    expect(diffWorkflows(after, base).nodes.removed).toEqual(['notify']);
  });
});
