/** The built-in node registry plus validation that throws, for tests that need a compiled workflow. */
import type { CompiledWorkflow } from '../../src/core/graph/compiled.ts';
import { validateWorkflow } from '../../src/core/validate.ts';
import { createNodeRegistry } from '../../src/nodes/registry.ts';

export const registry = createNodeRegistry();

export function compile(document: unknown): CompiledWorkflow {
  const { workflow, problems } = validateWorkflow(document, registry);
  if (!workflow)
    throw new Error(
      `invalid test workflow:\n${problems.map((p) => `${p.code} ${p.path}: ${p.message}`).join('\n')}`,
    );
  return workflow;
}
