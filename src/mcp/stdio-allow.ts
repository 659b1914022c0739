/**
 * @module The operator's allow-list of MCP servers that may be started as local processes:
 * SWITCHYARD_MCP_STDIO_ALLOW, a JSON array of `{ "command": "...", "args": ["..."] }`. A process is
 * started only for a command and arguments that equal an entry exactly: nothing a user or a
 * workflow writes can start any other program, and no shell ever reads the words.
 */
import { z } from 'zod';
import { SwitchyardError } from '../errors/switchyard-error.ts';

export const STDIO_ALLOW_VARIABLE = 'SWITCHYARD_MCP_STDIO_ALLOW';

export interface StdioCommand {
  readonly command: string;
  readonly args: readonly string[];
}

const allowList = z.array(
  z.strictObject({ command: z.string().min(1), args: z.array(z.string()).default([]) }),
);

/** The entries of SWITCHYARD_MCP_STDIO_ALLOW (none when unset); a malformed value throws SY_CONFIG_INVALID. */
export function stdioAllowFromEnv(env: NodeJS.ProcessEnv = process.env): StdioCommand[] {
  const raw = env[STDIO_ALLOW_VARIABLE]?.trim();
  if (!raw) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw invalid(`is not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const checked = allowList.safeParse(parsed);
  if (!checked.success) throw invalid(z.prettifyError(checked.error));
  return checked.data;
}

/** Throws SY_OUTBOUND_BLOCKED unless `wanted` equals an entry, command and every argument alike. */
export function assertStdioAllowed(wanted: StdioCommand, allow: readonly StdioCommand[]): void {
  const listed = allow.some(
    (entry) =>
      entry.command === wanted.command &&
      entry.args.length === wanted.args.length &&
      entry.args.every((arg, i) => arg === wanted.args[i]),
  );
  if (listed) return;
  throw new SwitchyardError(
    'SY_OUTBOUND_BLOCKED',
    `the MCP server command ${JSON.stringify([wanted.command, ...wanted.args])} is not on the operator's stdio allow-list`,
    {
      hint: `Only commands an operator lists in ${STDIO_ALLOW_VARIABLE} (exact command and arguments) are started; connect over HTTP otherwise.`,
      details: { command: wanted.command, args: [...wanted.args] },
    },
  );
}

function invalid(problem: string): SwitchyardError {
  return new SwitchyardError('SY_CONFIG_INVALID', `${STDIO_ALLOW_VARIABLE} ${problem}`, {
    hint: `Give a JSON array such as [{"command": "/usr/local/bin/mcp-server-time", "args": ["--local-timezone", "UTC"]}].`,
  });
}
