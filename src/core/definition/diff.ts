/**
 * @module What changed between two workflow definitions: nodes added, removed or changed (with the
 * fields that changed), edges added or removed, and top-level fields. Pure and order-insensitive
 * for nodes (matched by id) and edges (matched by their ends).
 */
import { isDeepStrictEqual } from './deep-equal.ts';

export interface NodeChange {
  readonly id: string;
  /** Top-level fields of the node that differ: type, params, retry… */
  readonly fields: readonly string[];
}

export interface WorkflowDiff {
  readonly nodes: {
    readonly added: readonly string[];
    readonly removed: readonly string[];
    readonly changed: readonly NodeChange[];
  };
  readonly edges: { readonly added: readonly string[]; readonly removed: readonly string[] };
  /** Other top-level fields that differ: name, settings, description… */
  readonly fields: readonly string[];
  readonly identical: boolean;
}

type Document = Record<string, unknown>;

export function diffWorkflows(before: unknown, after: unknown): WorkflowDiff {
  const a = asDocument(before);
  const b = asDocument(after);
  const nodesA = byId(a.nodes);
  const nodesB = byId(b.nodes);
  const changed: NodeChange[] = [];
  for (const [id, node] of nodesB) {
    const old = nodesA.get(id);
    if (old) {
      const fields = changedKeys(old, node);
      if (fields.length > 0) changed.push({ id, fields });
    }
  }
  const edgesA = new Set(edgeKeys(a.edges));
  const edgesB = new Set(edgeKeys(b.edges));
  const fields = changedKeys(a, b).filter((key) => key !== 'nodes' && key !== 'edges');
  const diff = {
    nodes: {
      added: [...nodesB.keys()].filter((id) => !nodesA.has(id)),
      removed: [...nodesA.keys()].filter((id) => !nodesB.has(id)),
      changed,
    },
    edges: {
      added: [...edgesB].filter((e) => !edgesA.has(e)),
      removed: [...edgesA].filter((e) => !edgesB.has(e)),
    },
    fields,
  };
  const identical =
    diff.nodes.added.length +
      diff.nodes.removed.length +
      changed.length +
      diff.edges.added.length +
      diff.edges.removed.length +
      fields.length ===
    0;
  return { ...diff, identical };
}

function asDocument(value: unknown): Document {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Document) : {};
}

function byId(nodes: unknown): Map<string, Document> {
  const map = new Map<string, Document>();
  if (!Array.isArray(nodes)) return map;
  for (const node of nodes) {
    const doc = asDocument(node);
    if (typeof doc.id === 'string') map.set(doc.id, doc);
  }
  return map;
}

/** An edge as `from → to` with default ports spelled out, so `a` and `a.out` compare equal. */
function edgeKeys(edges: unknown): string[] {
  if (!Array.isArray(edges)) return [];
  return edges.map((edge) => {
    const doc = asDocument(edge);
    return `${endpoint(doc.from, 'out')} → ${endpoint(doc.to, 'in')}`;
  });
}

function endpoint(value: unknown, defaultPort: string): string {
  if (typeof value === 'string') return value.includes('.') ? value : `${value}.${defaultPort}`;
  const doc = asDocument(value);
  return `${String(doc.node)}.${typeof doc.port === 'string' ? doc.port : defaultPort}`;
}

function changedKeys(a: Document, b: Document): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((key) => !isDeepStrictEqual(a[key], b[key])).sort();
}
