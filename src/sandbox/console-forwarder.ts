/**
 * @module The one host function a sandbox gets: it forwards `console.*` to the run's log hook,
 * within a budget, so a logging loop cannot flood the host before its time limit stops it.
 */
import type { QuickJSContext, QuickJSHandle } from 'quickjs-emscripten-core';
import type { CodeLogLevel } from './types.ts';

/** Characters kept of one message; the prelude cuts there too, so long strings never cross whole. */
export const maxLogMessageChars = 8192;
/** Messages forwarded per run; one notice replaces the rest. */
export const maxLogMessages = 1000;

const levels: ReadonlySet<string> = new Set<CodeLogLevel>(['log', 'info', 'warn', 'error']);

export type LogSink = (level: CodeLogLevel, message: string) => void;

export function newConsoleForwarder(context: QuickJSContext, sink: LogSink): QuickJSHandle {
  let forwarded = 0;
  const readString = (handle: QuickJSHandle | undefined): string | undefined =>
    handle !== undefined && context.typeof(handle) === 'string' ? context.getString(handle) : undefined;
  return context.newFunction('log', (...args) => {
    if (forwarded > maxLogMessages) return;
    forwarded++;
    if (forwarded > maxLogMessages) {
      sink('warn', `[sandbox] console output stopped after ${maxLogMessages} messages`);
      return;
    }
    const level = readString(args[0]) ?? 'log';
    const message = readString(args[1]) ?? '';
    sink(levels.has(level) ? (level as CodeLogLevel) : 'log', truncate(message));
  });
}

function truncate(message: string): string {
  if (message.length <= maxLogMessageChars) return message;
  return `${message.slice(0, maxLogMessageChars)}… [truncated]`;
}
