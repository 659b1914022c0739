/**
 * @module Loop bodies: the nodes reachable from a loop's `item` port without passing through the
 * loop itself. Each node belongs to its innermost loop, which decides the scope it runs in.
 */
import { LOOP_BREAK_PORT, LOOP_ITEM_PORT, LOOP_NEXT_PORT } from '../catalog.ts';

export interface GraphEdge {
  readonly from: number;
  readonly fromPort: string;
  readonly to: number;
  readonly toPort: string;
}

/** innermost[i] = index of the innermost loop holding node i, or -1. */
export function innermostLoops(
  nodeCount: number,
  loops: readonly number[],
  edges: readonly GraphEdge[],
): number[] {
  const outgoing: GraphEdge[][] = Array.from({ length: nodeCount }, () => []);
  for (const edge of edges) outgoing[edge.from]?.push(edge);
  const bodies = loops.map((loop) => ({ loop, body: bodyOf(loop, outgoing) }));
  // A nested body is a subset of its parent's, so the smallest body holding a node is the innermost.
  bodies.sort((a, b) => b.body.size - a.body.size);
  const innermost = new Array<number>(nodeCount).fill(-1);
  for (const { loop, body } of bodies) for (const node of body) innermost[node] = loop;
  return innermost;
}

function bodyOf(loop: number, outgoing: readonly GraphEdge[][]): Set<number> {
  const body = new Set<number>();
  const stack = (outgoing[loop] ?? []).filter((e) => e.fromPort === LOOP_ITEM_PORT).map((e) => e.to);
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node === loop || body.has(node)) continue;
    body.add(node);
    for (const edge of outgoing[node] ?? []) stack.push(edge.to);
  }
  return body;
}

export function isBackPort(port: string): boolean {
  return port === LOOP_NEXT_PORT || port === LOOP_BREAK_PORT;
}
