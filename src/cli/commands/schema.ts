/** @module `switchyard schema`: prints or writes the workflow JSON Schema; `--check` fails if a file is stale. */
import { readFile, writeFile } from 'node:fs/promises';
import { workflowJsonSchema } from '../../core/definition/json-schema.ts';
import type { NodeRegistry } from '../../nodes/registry.ts';
import { ExitCode } from '../exit-codes.ts';

export async function schemaCommand(
  options: { out?: string; check?: string },
  registry: NodeRegistry,
): Promise<number> {
  const text = `${JSON.stringify(workflowJsonSchema(registry), null, 2)}\n`;
  if (options.check) {
    const current = await readFile(options.check, 'utf8').catch(() => '');
    if (current === text) return ExitCode.ok;
    process.stderr.write(`${options.check} is out of date: run \`npm run schema\` and commit it\n`);
    return ExitCode.invalidWorkflow;
  }
  if (options.out) await writeFile(options.out, text);
  else process.stdout.write(text);
  return ExitCode.ok;
}
