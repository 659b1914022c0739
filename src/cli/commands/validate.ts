/** @module `switchyard validate FILE…`: every problem of every file at once; exit 1 on any error. */
import type { NodeRegistry } from '../../nodes/registry.ts';
import { type LoadedWorkflow, loadWorkflowFile } from '../../workflow-file/load.ts';
import { ExitCode } from '../exit-codes.ts';
import { formatProblems } from '../render/problems.ts';

export async function validateCommand(
  files: readonly string[],
  options: { json?: boolean },
  registry: NodeRegistry,
): Promise<number> {
  const results: LoadedWorkflow[] = [];
  for (const file of files) results.push(await loadWorkflowFile(file, registry));
  const valid = results.every((r) => r.workflow !== undefined);
  if (options.json) {
    const report = results.map((r) => ({
      file: r.file,
      valid: r.workflow !== undefined,
      problems: r.problems,
    }));
    process.stdout.write(`${JSON.stringify(files.length === 1 ? report[0] : report, null, 2)}\n`);
  } else {
    for (const result of results) process.stdout.write(`${formatProblems(result.file, result.problems)}\n`);
  }
  return valid ? ExitCode.ok : ExitCode.invalidWorkflow;
}
