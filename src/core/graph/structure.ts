/**
 * @module Whole-graph checks — duplicate ids, dangling edges, ports, entries, loop bodies, cycles
 * that skip a loop, unreachable nodes — and, when all pass, the compiled graph.
 */
import { ERROR_PORT, LOOP_ITEM_PORT } from '../catalog.ts';
import type { ParsedDocument, ResolvedEdge } from '../definition/parse.ts';
import type { WorkflowDefinition } from '../definition/schema.ts';
import { type Problem, problem } from '../problems.ts';
import type { CompiledEdge, CompiledNode, CompiledWorkflow, EdgeKind } from './compiled.ts';
import { findCycles } from './cycles.ts';
import { type GraphEdge, innermostLoops, isBackPort } from './loops.ts';
import type { CheckedNode } from './node-checks.ts';

interface LinkedEdge extends GraphEdge {
  readonly source: ResolvedEdge;
}

export function checkStructure(
  document: ParsedDocument,
  checked: readonly (CheckedNode | undefined)[],
  problems: Problem[],
): CompiledWorkflow | undefined {
  const position = indexIds(document, problems);
  const edges = linkEdges(document, checked, position, problems);
  const entries = checkEntries(checked, problems);
  const loops = checked.flatMap((node, i) => (node?.shape.role === 'loop' ? [i] : []));
  const innermost = innermostLoops(checked.length, loops, edges);
  const kinds = checkLoopScopes(document, checked, edges, loops, innermost, problems);
  checkCycles(document, checked.length, edges, kinds, problems);
  if (entries.length > 0) checkReachable(document, position, entries, problems);

  const definition = document.definition;
  if (!definition || problems.some((p) => p.severity === 'error') || checked.some((n) => !n))
    return undefined;
  return build(definition, checked as CheckedNode[], edges, kinds, innermost, entries);
}

function indexIds(document: ParsedDocument, problems: Problem[]): Map<string, number> {
  const position = new Map<string, number>();
  document.nodes.forEach((node, i) => {
    const first = position.get(node.definition.id);
    if (first === undefined) position.set(node.definition.id, i);
    else {
      const firstIndex = document.nodes[first]?.index;
      problems.push(
        problem(
          'SY_WF_DUPLICATE_ID',
          ['nodes', node.index, 'id'],
          `id "${node.definition.id}" is already used by nodes[${firstIndex}]`,
        ),
      );
    }
  });
  return position;
}

function linkEdges(
  document: ParsedDocument,
  checked: readonly (CheckedNode | undefined)[],
  position: ReadonlyMap<string, number>,
  problems: Problem[],
): LinkedEdge[] {
  const linked: LinkedEdge[] = [];
  for (const edge of document.edges) {
    const from = position.get(edge.from.node);
    const to = position.get(edge.to.node);
    if (from === undefined) problems.push(dangling(edge, 'from'));
    if (to === undefined) problems.push(dangling(edge, 'to'));
    if (from === undefined || to === undefined) continue;
    const source = checked[from];
    const target = checked[to];
    let ok = true;
    if (source) {
      const ports = source.shape.outputs;
      if (edge.from.port === ERROR_PORT) {
        if (source.definition.onError !== 'branch') {
          problems.push(
            problem(
              'SY_WF_ERROR_PORT',
              ['edges', edge.index, 'from'],
              `node "${edge.from.node}" does not route errors (onError is "${source.definition.onError}")`,
            ),
          );
          ok = false;
        }
      } else if (!ports.includes(edge.from.port)) {
        problems.push(unknownPort(edge, 'from', [...ports, ERROR_PORT]));
        ok = false;
      }
    }
    if (target?.shape.role === 'entry') {
      problems.push(
        problem(
          'SY_WF_ENTRY_INPUT',
          ['edges', edge.index, 'to'],
          `"${edge.to.node}" is an entry node; nothing may flow into it`,
        ),
      );
      ok = false;
    } else if (target && !target.shape.inputs.includes(edge.to.port)) {
      problems.push(unknownPort(edge, 'to', target.shape.inputs));
      ok = false;
    }
    if (ok) linked.push({ from, fromPort: edge.from.port, to, toPort: edge.to.port, source: edge });
  }
  return linked;
}

function dangling(edge: ResolvedEdge, end: 'from' | 'to'): Problem {
  return problem(
    'SY_WF_DANGLING_EDGE',
    ['edges', edge.index, end],
    `edge ${end} unknown node "${edge[end].node}"`,
  );
}

function unknownPort(edge: ResolvedEdge, end: 'from' | 'to', ports: readonly string[]): Problem {
  const { node, port } = edge[end];
  const kind = end === 'from' ? 'output' : 'input';
  const list = ports.length > 0 ? ports.map((p) => `"${p}"`).join(', ') : 'none';
  return problem(
    'SY_WF_UNKNOWN_PORT',
    ['edges', edge.index, end],
    `node "${node}" has no ${kind} port "${port}" (its ${kind} ports: ${list})`,
  );
}

function checkEntries(checked: readonly (CheckedNode | undefined)[], problems: Problem[]): number[] {
  const entries = checked.flatMap((node, i) => (node?.shape.role === 'entry' ? [i] : []));
  if (entries.length === 0 && checked.every((n) => n)) {
    problems.push(problem('SY_WF_NO_ENTRY', ['nodes'], 'no node starts the workflow'));
  }
  return entries;
}

function checkLoopScopes(
  document: ParsedDocument,
  checked: readonly (CheckedNode | undefined)[],
  edges: readonly LinkedEdge[],
  loops: readonly number[],
  innermost: readonly number[],
  problems: Problem[],
): EdgeKind[] {
  const idOf = (i: number) => (i === -1 ? 'the top level' : `loop "${document.nodes[i]?.definition.id}"`);
  const kinds = edges.map((edge): EdgeKind => {
    const intoLoop = checked[edge.to]?.shape.role === 'loop';
    const fromLoop = checked[edge.from]?.shape.role === 'loop';
    if (intoLoop && isBackPort(edge.toPort)) return 'back';
    if (fromLoop && edge.fromPort === LOOP_ITEM_PORT) return 'enter';
    return 'forward';
  });
  edges.forEach((edge, k) => {
    const kind = kinds[k];
    const fromScope = kind === 'enter' ? edge.from : (innermost[edge.from] ?? -1);
    const toScope = kind === 'back' ? edge.to : (innermost[edge.to] ?? -1);
    if (fromScope !== toScope) {
      problems.push(
        problem(
          'SY_WF_LOOP_BODY',
          ['edges', edge.source.index],
          `edge ${edge.source.from.node}.${edge.fromPort} → ${edge.source.to.node}.${edge.toPort} goes from ${idOf(fromScope)} into ${idOf(toScope)}`,
        ),
      );
    }
  });
  for (const loop of loops) checkLoopBody(document, edges, kinds, loop, innermost, problems);
  return kinds;
}

/** Every node of a loop body must lead back to the loop, or its iterations could never close. */
function checkLoopBody(
  document: ParsedDocument,
  edges: readonly LinkedEdge[],
  kinds: readonly EdgeKind[],
  loop: number,
  innermost: readonly number[],
  problems: Problem[],
): void {
  const loopNode = document.nodes[loop]!;
  const id = loopNode.definition.id;
  const enters = edges.filter((_, k) => kinds[k] === 'enter' && edges[k]?.from === loop);
  const backs = edges.filter((_, k) => kinds[k] === 'back' && edges[k]?.to === loop);
  if (enters.length === 0 || backs.length === 0) {
    const missing =
      enters.length === 0
        ? `nothing leaves its "item" port`
        : `nothing comes back into its "next" or "break" port`;
    problems.push(
      problem('SY_WF_LOOP_BODY', ['nodes', loopNode.index], `loop "${id}" has no body: ${missing}`),
    );
    return;
  }
  const leadsBack = new Set(backs.map((e) => e.from));
  const incoming = new Map<number, number[]>();
  edges.forEach((edge, k) => {
    if (kinds[k] !== 'forward') return;
    const list = incoming.get(edge.to);
    if (list) list.push(edge.from);
    else incoming.set(edge.to, [edge.from]);
  });
  const stack = [...leadsBack];
  while (stack.length > 0) {
    for (const from of incoming.get(stack.pop()!) ?? []) {
      if (innermost[from] === loop && !leadsBack.has(from)) {
        leadsBack.add(from);
        stack.push(from);
      }
    }
  }
  innermost.forEach((owner, node) => {
    if (owner === loop && !leadsBack.has(node)) {
      const nodeDef = document.nodes[node]!;
      problems.push(
        problem(
          'SY_WF_LOOP_BODY',
          ['nodes', nodeDef.index],
          `node "${nodeDef.definition.id}" is inside loop "${id}" but never leads back to its "next" or "break" port`,
        ),
      );
    }
  });
}

function checkCycles(
  document: ParsedDocument,
  count: number,
  edges: readonly LinkedEdge[],
  kinds: readonly EdgeKind[],
  problems: Problem[],
): void {
  const forward = edges.filter((_, k) => kinds[k] !== 'back');
  for (const cycle of findCycles(count, forward)) {
    const ids = cycle.map((i) => document.nodes[i]!.definition.id);
    problems.push(
      problem(
        'SY_WF_CYCLE',
        ['nodes', document.nodes[cycle[0]!]!.index],
        `nodes ${ids.map((id) => `"${id}"`).join(', ')} form a cycle that does not go through a loop`,
      ),
    );
  }
}

/** Every edge between existing nodes counts, even one with a bad port: its own problem says so. */
function checkReachable(
  document: ParsedDocument,
  position: ReadonlyMap<string, number>,
  entries: readonly number[],
  problems: Problem[],
): void {
  const outgoing: number[][] = Array.from({ length: document.nodes.length }, () => []);
  for (const edge of document.edges) {
    const from = position.get(edge.from.node);
    const to = position.get(edge.to.node);
    if (from !== undefined && to !== undefined) outgoing[from]?.push(to);
  }
  const seen = new Set(entries);
  const stack = [...entries];
  while (stack.length > 0) {
    for (const next of outgoing[stack.pop()!] ?? []) {
      if (!seen.has(next)) {
        seen.add(next);
        stack.push(next);
      }
    }
  }
  document.nodes.forEach((node, i) => {
    const duplicate = position.get(node.definition.id) !== i;
    if (!seen.has(i) && !duplicate) {
      problems.push(
        problem(
          'SY_WF_UNREACHABLE',
          ['nodes', node.index],
          `node "${node.definition.id}" cannot be reached from an entry node`,
        ),
      );
    }
  });
}

function build(
  definition: WorkflowDefinition,
  nodes: readonly CheckedNode[],
  edges: readonly LinkedEdge[],
  kinds: readonly EdgeKind[],
  innermost: readonly number[],
  entries: readonly number[],
): CompiledWorkflow {
  const groups = nodes.map(() => ({
    out: new Map<string, CompiledEdge[]>(),
    in: [] as CompiledEdge[],
    enter: [] as CompiledEdge[],
    back: [] as CompiledEdge[],
  }));
  edges.forEach((edge, k) => {
    const kind = kinds[k]!;
    const source = groups[edge.from]!;
    const target = groups[edge.to]!;
    const slot = kind === 'back' ? -1 : target.in.length;
    const compiled: CompiledEdge = {
      index: edge.source.index,
      from: edge.from,
      fromPort: edge.fromPort,
      to: edge.to,
      toPort: edge.toPort,
      kind,
      slot,
    };
    if (kind === 'enter') source.enter.push(compiled);
    else {
      const list = source.out.get(edge.fromPort);
      if (list) list.push(compiled);
      else source.out.set(edge.fromPort, [compiled]);
    }
    if (kind === 'back') target.back.push(compiled);
    else target.in.push(compiled);
  });
  const compiled: CompiledNode[] = nodes.map((node, i) => {
    const group = groups[i]!;
    return {
      index: i,
      id: node.definition.id,
      definition: node.definition,
      spec: node.spec,
      shape: node.shape,
      loop: innermost[i] ?? -1,
      outEdges: group.out,
      inEdges: group.in,
      enterEdges: group.enter,
      backEdges: group.back,
      isSink: group.out.size === 0,
    };
  });
  return { definition, nodes: compiled, byId: new Map(compiled.map((n) => [n.id, n])), entries };
}
