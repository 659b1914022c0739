/**
 * @module First pass over a workflow document: checks the envelope, then each node and each edge
 * on its own, so that one bad node does not hide the problems of the others.
 */
import { z } from 'zod';
import { DEFAULT_INPUT_PORT, DEFAULT_OUTPUT_PORT } from '../catalog.ts';
import { type Problem, problem } from '../problems.ts';
import {
  type EdgeDefinition,
  type Endpoint,
  edgeSchema,
  type NodeDefinition,
  nodeSchema,
  WORKFLOW_FORMAT,
  type WorkflowDefinition,
  workflowSchema,
} from './schema.ts';
import { zodProblems } from './zod-problems.ts';

export interface ParsedNode {
  /** Index in the file's `nodes` array, for error paths. */
  readonly index: number;
  readonly definition: NodeDefinition;
}

export interface ResolvedEdge {
  readonly index: number;
  readonly from: { readonly node: string; readonly port: string };
  readonly to: { readonly node: string; readonly port: string };
}

export interface ParsedDocument {
  readonly definition: WorkflowDefinition | undefined;
  readonly nodes: readonly ParsedNode[];
  readonly edges: readonly ResolvedEdge[];
  readonly problems: readonly Problem[];
}

const envelopeSchema = workflowSchema.extend({
  nodes: z.array(z.unknown()).min(1, 'a workflow needs at least one node').max(100_000),
  edges: z.array(z.unknown()).max(200_000).default([]),
});

export function parseDocument(document: unknown): ParsedDocument {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    return {
      definition: undefined,
      nodes: [],
      edges: [],
      problems: [problem('SY_WF_SCHEMA', [], 'a workflow is an object with format, name, nodes and edges')],
    };
  }
  const problems: Problem[] = [];
  const envelope = envelopeSchema.safeParse(document);
  if (!envelope.success) problems.push(...formatAwareProblems(envelope.error, document));
  const raw = document as { nodes?: unknown; edges?: unknown };
  const nodes: ParsedNode[] = [];
  const definitions: NodeDefinition[] = [];
  if (Array.isArray(raw.nodes)) {
    raw.nodes.forEach((value, index) => {
      const parsed = nodeSchema.safeParse(value);
      if (parsed.success) {
        nodes.push({ index, definition: parsed.data });
        definitions.push(parsed.data);
      } else problems.push(...zodProblems(parsed.error, ['nodes', index], 'SY_WF_SCHEMA'));
    });
  }
  const edges: ResolvedEdge[] = [];
  const edgeDefinitions: EdgeDefinition[] = [];
  if (Array.isArray(raw.edges)) {
    raw.edges.forEach((value, index) => {
      const parsed = edgeSchema.safeParse(value);
      if (parsed.success) {
        edgeDefinitions.push(parsed.data);
        edges.push({
          index,
          from: resolveEndpoint(parsed.data.from, DEFAULT_OUTPUT_PORT),
          to: resolveEndpoint(parsed.data.to, DEFAULT_INPUT_PORT),
        });
      } else problems.push(...zodProblems(parsed.error, ['edges', index], 'SY_WF_SCHEMA'));
    });
  }
  const definition =
    envelope.success && problems.length === 0
      ? { ...envelope.data, nodes: definitions, edges: edgeDefinitions }
      : undefined;
  return { definition, nodes, edges, problems };
}

export function resolveEndpoint(endpoint: Endpoint, defaultPort: string): { node: string; port: string } {
  if (typeof endpoint !== 'string') return { node: endpoint.node, port: endpoint.port ?? defaultPort };
  const dot = endpoint.indexOf('.');
  return dot === -1
    ? { node: endpoint, port: defaultPort }
    : { node: endpoint.slice(0, dot), port: endpoint.slice(dot + 1) };
}

/** Node and edge issues are reported per item; here only the envelope's own fields count. */
function formatAwareProblems(error: z.ZodError, document: object): Problem[] {
  const format = (document as { format?: unknown }).format;
  return zodProblems(error, [], 'SY_WF_SCHEMA').map((p) =>
    p.path === 'format' && format !== WORKFLOW_FORMAT
      ? problem(
          'SY_WF_SCHEMA',
          ['format'],
          format === undefined
            ? `the file does not say its format version`
            : `unsupported format ${JSON.stringify(format)}`,
          `Add \`format: ${WORKFLOW_FORMAT}\` at the top of the file.`,
        )
      : p,
  );
}
