/**
 * @module Validates a workflow document and compiles it: every problem at once, each with a path,
 * a stable code, a message and a hint. A workflow compiles only when it has no errors.
 */
import type { NodeCatalog } from './catalog.ts';
import { parseDocument } from './definition/parse.ts';
import type { CompiledWorkflow } from './graph/compiled.ts';
import { checkNode } from './graph/node-checks.ts';
import { checkStructure } from './graph/structure.ts';
import type { Problem } from './problems.ts';

export interface Validation {
  /** Present only when there are no errors. */
  readonly workflow: CompiledWorkflow | undefined;
  readonly problems: readonly Problem[];
}

export function validateWorkflow(document: unknown, catalog: NodeCatalog): Validation {
  const parsed = parseDocument(document);
  const problems: Problem[] = [...parsed.problems];
  const checked = parsed.nodes.map((node) => checkNode(node, catalog, problems));
  const workflow = checkStructure(parsed, checked, problems);
  return {
    workflow: problems.some((p) => p.severity === 'error') ? undefined : workflow,
    problems: sortProblems(problems),
  };
}

const SECTION_ORDER = ['$schema', 'format', 'name', 'description', 'settings', 'nodes', 'edges'];

/** File order: problems read top to bottom like the file they describe. */
function sortProblems(problems: Problem[]): Problem[] {
  const key = (path: string) => {
    const section = SECTION_ORDER.indexOf(/^[^.[]*/.exec(path)?.[0] ?? '');
    const rank = String(section === -1 ? SECTION_ORDER.length : section).padStart(2, '0');
    return `${rank}:${path.replace(/\[(\d+)\]/g, (_, n: string) => `[${n.padStart(6, '0')}]`)}`;
  };
  return problems.sort((a, b) => (key(a.path) < key(b.path) ? -1 : key(a.path) > key(b.path) ? 1 : 0));
}
