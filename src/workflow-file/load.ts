/** @module Reads a workflow file, validates it and compiles it, with every problem placed on its line. */
import { readFile } from 'node:fs/promises';
import type { NodeCatalog } from '../core/catalog.ts';
import type { CompiledWorkflow } from '../core/graph/compiled.ts';
import { type Problem, problem } from '../core/problems.ts';
import { validateWorkflow } from '../core/validate.ts';
import { formatOf, type Position, parseWorkflowText } from './parse-text.ts';

export interface LocatedProblem extends Problem {
  readonly line?: number;
  readonly column?: number;
}

export interface LoadedWorkflow {
  readonly file: string;
  readonly workflow: CompiledWorkflow | undefined;
  readonly problems: readonly LocatedProblem[];
}

export async function loadWorkflowFile(file: string, catalog: NodeCatalog): Promise<LoadedWorkflow> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    return {
      file,
      workflow: undefined,
      problems: [problem('SY_FILE_NOT_FOUND', [], `cannot read ${file}: ${reason}`)],
    };
  }
  return checkWorkflowText(file, text, catalog);
}

export function checkWorkflowText(file: string, text: string, catalog: NodeCatalog): LoadedWorkflow {
  const parsed = parseWorkflowText(text, formatOf(file));
  if (!parsed.ok) {
    const where = parsed.position ? ` at line ${parsed.position.line}, column ${parsed.position.column}` : '';
    const located = { ...problem('SY_WF_PARSE', [], `${parsed.message}${where}`), ...parsed.position };
    return { file, workflow: undefined, problems: [located] };
  }
  const { workflow, problems } = validateWorkflow(parsed.document, catalog);
  return {
    file,
    workflow,
    problems: problems.map((p) => ({ ...p, ...(parsed.locate(splitPath(p.path)) as Position | undefined) })),
  };
}

/** `nodes[3].params["x-y"]` → ['nodes', 3, 'params', 'x-y']. */
export function splitPath(path: string): (string | number)[] {
  const segments: (string | number)[] = [];
  for (const match of path.matchAll(/([^.[\]]+)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g)) {
    if (match[1] !== undefined) segments.push(match[1]);
    else if (match[2] !== undefined) segments.push(Number(match[2]));
    else if (match[3] !== undefined) segments.push(JSON.parse(match[3]) as string);
  }
  return segments;
}
