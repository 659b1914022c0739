/** @module The `switchyard` command: parses the command line, runs one command, exits with its code. */
import { Command, CommanderError } from 'commander';
import pc from 'picocolors';
import { SwitchyardError } from '../errors/switchyard-error.ts';
import type { NodeRegistry } from '../nodes/registry.ts';
import type { RunOptions } from './commands/run.ts';
import { ExitCode } from './exit-codes.ts';

const USAGE_CODES = new Set(['SY_CLI_USAGE', 'SY_CLI_INPUT', 'SY_FILE_NOT_FOUND', 'SY_CONFIG_INVALID']);
const UNAVAILABLE_CODES = new Set(['SY_STORE_LOCKED', 'SY_STORE_UNAVAILABLE', 'SY_STORE_MIGRATION']);

function exitCodeOf(error: SwitchyardError): number {
  if (USAGE_CODES.has(error.code)) return ExitCode.usage;
  if (UNAVAILABLE_CODES.has(error.code)) return ExitCode.unavailable;
  return ExitCode.executionFailed;
}

// Each command loads what it needs when it runs: `serve` starts its store's thread before the rest
// of the product has loaded, and `--help` loads nothing.
let nodeRegistry: Promise<NodeRegistry> | undefined;
function registry(): Promise<NodeRegistry> {
  nodeRegistry ??= import('../nodes/registry.ts').then((module) => module.createNodeRegistry());
  return nodeRegistry;
}

export async function main(argv: readonly string[]): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const program = new Command('switchyard')
    .description('Durable AI workflows: validate and run workflow files.')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) })
    .showHelpAfterError('(run `switchyard help` for usage)');

  program
    .command('validate')
    .description('check workflow files and report every problem (exit 1 on any error)')
    .argument('<files...>', 'workflow files (.json, .yaml, .yml)')
    .option('--json', 'print the problems as JSON')
    .action(async (files: string[], options: { json?: boolean }) => {
      const { validateCommand } = await import('./commands/validate.ts');
      exitCode = await validateCommand(files, options, await registry());
    });

  program
    .command('run')
    .description('run a workflow in this process, with live progress (exit 1: invalid, 2: failed)')
    .argument('<file>', 'workflow file')
    .option('--input <json>', 'execution input as JSON')
    .option('--input-file <file>', 'read the execution input (JSON) from a file')
    .option('--entry <node>', 'the entry node to start from (default: the first)')
    .option('--json', 'print only the result, as JSON')
    .option(
      '--durable',
      'store the workflow and checkpoint every node (SQLite in SWITCHYARD_DATA_DIR, or SWITCHYARD_DATABASE_URL)',
    )
    .action(async (file: string, options: RunOptions) => {
      const { runCommand } = await import('./commands/run.ts');
      exitCode = await runCommand(file, options, await registry());
    });

  program
    .command('schema')
    .description('print the JSON Schema of the workflow format')
    .option('--out <file>', 'write it to a file')
    .option('--check <file>', 'fail if the file differs from the generated schema')
    .action(async (options: { out?: string; check?: string }) => {
      const { schemaCommand } = await import('./commands/schema.ts');
      exitCode = await schemaCommand(options, await registry());
    });

  program
    .command('nodes')
    .description('list node types, or show one with its ports and parameters')
    .argument('[type]', 'a node type')
    .option('--json', 'print as JSON')
    .action(async (type: string | undefined, options: { json?: boolean }) => {
      const { nodesCommand } = await import('./commands/nodes.ts');
      exitCode = nodesCommand(type, options, await registry());
    });

  program
    .command('migrate')
    .description(
      'apply pending database migrations (SWITCHYARD_DATABASE_URL, or SQLite in SWITCHYARD_DATA_DIR)',
    )
    .option('--json', 'print the report as JSON')
    .action(async (options: { json?: boolean }) => {
      const { migrateCommand } = await import('./commands/migrate.ts');
      exitCode = await migrateCommand(options);
    });

  program
    .command('serve')
    .description(
      'start the HTTP API and the durable worker (SQLite in SWITCHYARD_DATA_DIR, or SWITCHYARD_DATABASE_URL)',
    )
    .option('--port <port>', 'port to listen on (default: PORT, else 3000; 0 picks a free one)')
    .option('--host <host>', 'address to listen on (default: 127.0.0.1)')
    .action(async (options: { port?: string; host?: string }) => {
      const { serveCommand } = await import('./commands/serve.ts');
      exitCode = await serveCommand(options, registry);
    });

  program
    .command('mock-llm')
    .description('start a local LLM server speaking the OpenAI and Anthropic protocols, for offline demos')
    .option('--port <port>', 'port to listen on (default: 8787; 0 picks a free one)')
    .option('--host <host>', 'address to listen on (default: 127.0.0.1)')
    .option('--script <file>', 'scripted replies and faults (YAML or JSON)')
    .action(async (options: { port?: string; host?: string; script?: string }) => {
      const { mockLlmCommand } = await import('./commands/mock-llm.ts');
      exitCode = await mockLlmCommand(options);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    if (error instanceof SwitchyardError) {
      process.stderr.write(
        `${pc.red('error')} ${pc.cyan(error.code)}: ${error.message}\n${pc.dim(`hint: ${error.hint}`)}\n`,
      );
      return exitCodeOf(error);
    }
    throw error;
  }
}
