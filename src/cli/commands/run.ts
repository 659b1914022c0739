/**
 * @module `switchyard run FILE`: runs a workflow in this process with live per-node progress on
 * stderr and the output on stdout (`--json`: one JSON document, no progress). Ctrl-C cancels cleanly.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import pc from 'picocolors';
import type { NodeRegistry } from '../../nodes/registry.ts';
import { ExecutionRun } from '../../runtime/execution-run.ts';
import { loadWorkflowFile } from '../../workflow-file/load.ts';
import { ExitCode } from '../exit-codes.ts';
import { formatProblems } from '../render/problems.ts';
import { formatMs, ProgressView } from '../render/progress.ts';
import { createCliServices } from '../services.ts';
import { UsageError } from '../usage-error.ts';
import { type RunRequest, type RunResult, runDurably } from './run-durably.ts';

export interface RunOptions {
  readonly input?: string;
  readonly inputFile?: string;
  readonly entry?: string;
  readonly json?: boolean;
  /** Run on the embedded store (or SWITCHYARD_DATABASE_URL): checkpointed, resumable. */
  readonly durable?: boolean;
}

export async function runCommand(file: string, options: RunOptions, registry: NodeRegistry): Promise<number> {
  const input = await readInput(options);
  const loaded = await loadWorkflowFile(file, registry);
  if (!loaded.workflow) {
    if (options.json) {
      process.stdout.write(
        `${JSON.stringify({ status: 'invalid', file, problems: loaded.problems }, null, 2)}\n`,
      );
    } else process.stderr.write(`${formatProblems(file, loaded.problems)}\n`);
    return ExitCode.invalidWorkflow;
  }
  const workflow = loaded.workflow;
  if (options.entry !== undefined && !workflow.entries.some((i) => workflow.nodes[i]?.id === options.entry)) {
    throw new UsageError(`--entry "${options.entry}" is not an entry node of ${file}`);
  }
  const services = createCliServices(registry);
  const cancel = new AbortController();
  const onSignal = () => cancel.abort(new Error('interrupted (SIGINT)'));
  process.once('SIGINT', onSignal);
  let progress: ProgressView | undefined;
  const watch = (executionId: string) => {
    progress = options.json ? undefined : new ProgressView(workflow, executionId, process.stderr);
    return progress?.onEvent;
  };
  try {
    const request = {
      file: resolve(file),
      workflow,
      input,
      services,
      registry,
      signal: cancel.signal,
      watch,
      ...(options.entry ? { entry: options.entry } : {}),
    };
    const result = options.durable ? await runDurably(request) : await runInMemory(request);
    progress?.stop();
    report(result, options);
    return result.status === 'succeeded' ? ExitCode.ok : ExitCode.executionFailed;
  } finally {
    process.off('SIGINT', onSignal);
    services.code.dispose();
  }
}

async function runInMemory(request: RunRequest): Promise<RunResult> {
  const executionId = randomUUID();
  const onEvent = request.watch(executionId);
  const result = await new ExecutionRun(request.services, request.workflow, {
    executionId,
    input: request.input,
    signal: request.signal,
    location: request.file,
    ...(request.entry === undefined ? {} : { entry: request.entry }),
    ...(onEvent ? { onEvent } : {}),
  }).run();
  const { response: _response, ...reported } = result;
  return reported as RunResult;
}

function report(result: RunResult, options: RunOptions): void {
  if (options.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else if (result.status === 'waiting') {
    process.stderr.write(
      `${pc.yellow('waiting')} for a person's decision: decide it through the API (GET /api/v1/approvals), and the execution ${result.executionId} goes on\n`,
    );
  } else if (result.status === 'succeeded') {
    process.stderr.write(`${pc.green('succeeded')} in ${formatMs(result.durationMs)}\n`);
    process.stdout.write(`${JSON.stringify(result.output, null, 2)}\n`);
  } else {
    const error = result.error;
    const where = result.failedNode ? ` in node "${result.failedNode.nodeId}"` : '';
    process.stderr.write(`${pc.red(result.status)}${where} after ${formatMs(result.durationMs)}\n`);
    if (error)
      process.stderr.write(
        `${pc.cyan(error.code)}: ${error.message}\n${pc.dim(`hint: ${error.hint ?? ''}`)}\n`,
      );
  }
}

async function readInput(options: RunOptions): Promise<unknown> {
  if (options.input !== undefined && options.inputFile !== undefined) {
    throw new UsageError('give --input or --input-file, not both');
  }
  let text: string;
  let source: string;
  if (options.input !== undefined) {
    text = options.input;
    source = '--input';
  } else if (options.inputFile !== undefined) {
    source = options.inputFile;
    try {
      text = await readFile(options.inputFile, 'utf8');
    } catch (error) {
      throw new UsageError(
        `cannot read --input-file ${options.inputFile}: ${(error as Error).message}`,
        'SY_FILE_NOT_FOUND',
      );
    }
  } else return null;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(`${source} is not valid JSON: ${(error as Error).message}`, 'SY_CLI_INPUT');
  }
}
