/**
 * @module Finds the cycles of a directed graph: its strongly connected components with more than one
 * node, or a node with an edge to itself. Iterative Tarjan, so a 100,000-node chain cannot blow the stack.
 */
import type { GraphEdge } from './loops.ts';

export function findCycles(nodeCount: number, edges: readonly Pick<GraphEdge, 'from' | 'to'>[]): number[][] {
  const outgoing: number[][] = Array.from({ length: nodeCount }, () => []);
  const selfLoops = new Set<number>();
  for (const edge of edges) {
    outgoing[edge.from]?.push(edge.to);
    if (edge.from === edge.to) selfLoops.add(edge.from);
  }
  const index = new Array<number>(nodeCount).fill(-1);
  const low = new Array<number>(nodeCount).fill(0);
  const onStack = new Array<boolean>(nodeCount).fill(false);
  const stack: number[] = [];
  const cycles: number[][] = [];
  let counter = 0;

  for (let root = 0; root < nodeCount; root++) {
    if (index[root] !== -1) continue;
    const frames: Array<{ node: number; next: number }> = [{ node: root, next: 0 }];
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = true;
    while (frames.length > 0) {
      const frame = frames[frames.length - 1]!;
      const successors = outgoing[frame.node]!;
      if (frame.next < successors.length) {
        const next = successors[frame.next++]!;
        if (index[next] === -1) {
          index[next] = low[next] = counter++;
          stack.push(next);
          onStack[next] = true;
          frames.push({ node: next, next: 0 });
        } else if (onStack[next]) {
          low[frame.node] = Math.min(low[frame.node]!, index[next]!);
        }
        continue;
      }
      frames.pop();
      const parent = frames[frames.length - 1];
      if (parent) low[parent.node] = Math.min(low[parent.node]!, low[frame.node]!);
      if (low[frame.node] !== index[frame.node]) continue;
      const component: number[] = [];
      let member: number;
      do {
        member = stack.pop()!;
        onStack[member] = false;
        component.push(member);
      } while (member !== frame.node);
      if (component.length > 1 || selfLoops.has(frame.node)) cycles.push(component.reverse());
    }
  }
  return cycles;
}
