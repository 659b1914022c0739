/** Workflow documents for tests, built from their nodes: no engine, no store, nothing loaded. */

export function workflow(nodes: unknown[], edges: unknown[], settings?: Record<string, unknown>) {
  return { format: 'switchyard/v1', name: 'test', nodes, edges, ...(settings ? { settings } : {}) };
}

/** Edges for a straight line through the given node ids. */
export function line(...ids: string[]) {
  return ids.slice(1).map((id, i) => ({ from: ids[i]!, to: id }));
}
