/**
 * @module The nodes upstream of a node: everything it depends on, and, for a loop among them, its
 * whole body. A replay from a node reuses their recorded outputs and runs everything else again.
 */
import type { CompiledWorkflow } from './compiled.ts';

export function upstreamOf(workflow: CompiledWorkflow, nodeId: string): Set<string> {
  const target = workflow.byId.get(nodeId);
  if (!target) return new Set();
  const incoming = new Map<number, number[]>();
  for (const node of workflow.nodes) {
    for (const edges of node.outEdges.values()) {
      for (const edge of edges) {
        if (edge.kind === 'back') continue;
        const list = incoming.get(edge.to);
        if (list) list.push(edge.from);
        else incoming.set(edge.to, [edge.from]);
      }
    }
    for (const edge of node.enterEdges) {
      const list = incoming.get(edge.to);
      if (list) list.push(edge.from);
      else incoming.set(edge.to, [edge.from]);
    }
  }
  const seen = new Set<number>();
  const stack = [...(incoming.get(target.index) ?? [])];
  while (stack.length > 0) {
    const index = stack.pop()!;
    if (seen.has(index)) continue;
    seen.add(index);
    stack.push(...(incoming.get(index) ?? []));
  }
  // A loop upstream of the target finished all its iterations: its body's records come too.
  for (const node of workflow.nodes) {
    for (let owner = node.loop; owner !== -1; owner = workflow.nodes[owner]!.loop) {
      if (seen.has(owner) && owner !== target.index) seen.add(node.index);
    }
  }
  seen.delete(target.index);
  return new Set([...seen].map((i) => workflow.nodes[i]!.id));
}
