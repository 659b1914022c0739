/**
 * @module `switchyard mock-llm`: the local LLM server of the tests, for offline demos — OpenAI and Anthropic
 * wire protocols answering from a script (YAML or JSON) or with deterministic echoes — until SIGINT or SIGTERM.
 */

import { startMockLlmServer } from '../../llm/mock/mock-llm-server.ts';
import { loadMockScript, type MockScript } from '../../llm/mock/script.ts';
import { ExitCode } from '../exit-codes.ts';
import { UsageError } from '../usage-error.ts';

export interface MockLlmOptions {
  readonly port?: string;
  readonly host?: string;
  readonly script?: string;
}

export async function mockLlmCommand(options: MockLlmOptions): Promise<number> {
  const port = portOf(options.port ?? '8787');
  const script = options.script === undefined ? undefined : await scriptOf(options.script);
  // A demo runs for hours: keeping every request would only grow the heap.
  const server = await startMockLlmServer({
    port,
    host: options.host ?? '127.0.0.1',
    record: false,
    ...(script === undefined ? {} : { script }),
  });
  process.stdout.write(`mock LLM listening on ${server.url} (OpenAI: /v1, Anthropic: /v1/messages)\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  return ExitCode.ok;
}

async function scriptOf(file: string): Promise<MockScript> {
  try {
    return await loadMockScript(file);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const unreadable = error instanceof Error && 'code' in error && typeof error.code === 'string';
    throw new UsageError(`${file}: ${message}`, unreadable ? 'SY_FILE_NOT_FOUND' : 'SY_CLI_USAGE');
  }
}

function portOf(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65_535) throw new UsageError(`"${text}" is not a port number (0–65535)`);
  return port;
}
