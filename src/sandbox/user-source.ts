/**
 * @module Wraps the user's code in the async function it runs as, and maps QuickJS stack traces
 * back to the user's own lines, without the wrapper or the prelude.
 */

/** File name the user's frames carry in QuickJS stack traces. */
export const userFileName = 'code.js';

/** The wrapper takes a line of its own, so user line N is QuickJS line N + 1. */
const wrapperHeader = '(async function (input) {\n';
const wrapperFooter = '\n})';

/** Frames beyond this are summarised: a stack overflow yields thousands of identical ones. */
const maxFrames = 20;

export function wrapUserSource(source: string): string {
  return wrapperHeader + source + wrapperFooter;
}

export interface UserLocation {
  readonly line: number;
  readonly column?: number;
}

/** A QuickJS line of the wrapped source as a line of the user's source, clamped into it. */
export function toUserLine(wrappedLine: number, source: string): number {
  return clampLine(wrappedLine - 1, lineCount(source));
}

/** True when QuickJS points past the user's last line, into the wrapper's closing brace. */
export function isPastUserSource(wrappedLine: number, source: string): boolean {
  return wrappedLine - 1 > lineCount(source);
}

function lineCount(source: string): number {
  let count = 1;
  for (let at = source.indexOf('\n'); at !== -1; at = source.indexOf('\n', at + 1)) count++;
  return count;
}

function clampLine(line: number, lastLine: number): number {
  return Math.min(Math.max(line, 1), lastLine);
}

export interface UserStack {
  /** The frames of the user's code (and the native calls between them), renumbered; may be empty. */
  readonly stack: string;
  /** Where the innermost user frame is, if there is one. */
  readonly location?: UserLocation;
}

const userPosition = new RegExp(`${userFileName.replace('.', '\\.')}:(\\d+)(?::(\\d+))?`);

export function trimToUserFrames(stack: string, source: string): UserStack {
  const frames = stack
    .split('\n')
    .map((frame) => frame.trimEnd())
    .filter(
      (frame) =>
        frame.includes(`(${userFileName}:`) ||
        frame.includes(` ${userFileName}:`) ||
        frame.endsWith('(native)'),
    );
  const lastUserFrame = frames.findLastIndex((frame) => userPosition.test(frame));
  const lastLine = lineCount(source);
  const kept = frames.slice(0, lastUserFrame + 1).map((frame) => renumberFrame(frame, lastLine));
  const firstUserFrame = kept.find((frame) => userPosition.test(frame));
  const shown =
    kept.length > maxFrames
      ? [...kept.slice(0, maxFrames), `    ... ${kept.length - maxFrames} more frames`]
      : kept;
  const location = firstUserFrame === undefined ? undefined : locationOf(firstUserFrame);
  return { stack: shown.join('\n'), ...(location === undefined ? {} : { location }) };
}

function renumberFrame(frame: string, lastLine: number): string {
  return frame.replace(userPosition, (_match, line: string, column: string | undefined) => {
    const userLine = clampLine(Number(line) - 1, lastLine);
    return column === undefined ? `${userFileName}:${userLine}` : `${userFileName}:${userLine}:${column}`;
  });
}

function locationOf(renumberedFrame: string): UserLocation | undefined {
  const match = userPosition.exec(renumberedFrame);
  if (match === null) return undefined;
  const [, line, column] = match;
  return column === undefined ? { line: Number(line) } : { line: Number(line), column: Number(column) };
}
