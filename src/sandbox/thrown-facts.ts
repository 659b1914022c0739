/**
 * @module Decides what kind of failure a value thrown inside QuickJS is, from plain facts read
 * about it (name, message, stack), and in which phase of the run it was thrown.
 */
import type { CodeFailure } from './protocol.ts';
import { isPastUserSource, toUserLine, trimToUserFrames } from './user-source.ts';

/** What the prelude's `describe` reports about a thrown value; every field is optional. */
export interface ThrownFacts {
  readonly isError?: boolean;
  readonly name?: string;
  readonly message?: string;
  readonly stack?: string;
  readonly lineNumber?: number;
  readonly columnNumber?: number;
}

/** setup: prelude, globals and input; compile: parsing the code; run: the code; output: its result. */
export type RunPhase = 'setup' | 'compile' | 'run' | 'output';

/** A thrown message can be anything the code built; keep what a person will read. */
const maxMessageChars = 2000;

export function failureFromFacts(facts: ThrownFacts, phase: RunPhase, source: string): CodeFailure {
  const message = truncate(facts.message ?? 'unknown error');
  const resourceFailure = resourceFailureOf(facts, phase, source);
  if (resourceFailure !== undefined) return resourceFailure;
  if (phase === 'setup')
    return { kind: 'internal', message: `The sandbox could not be prepared: ${message}` };
  if (phase === 'output') return { kind: 'output', message: `The result is not JSON: ${message}` };
  if (phase === 'compile' && facts.name === 'SyntaxError') return syntaxFailure(facts, message, source);
  return {
    kind: 'thrown',
    ...(facts.isError === true && facts.name !== undefined ? { name: facts.name } : {}),
    message,
    ...userFrames(facts, source),
  };
}

/** QuickJS reports exhausted resources as InternalError; the code may catch them, so only uncaught ones get here. */
function resourceFailureOf(facts: ThrownFacts, phase: RunPhase, source: string): CodeFailure | undefined {
  if (facts.name !== 'InternalError') return undefined;
  const during = phase === 'setup' ? ' while loading its input' : '';
  if (facts.message === 'out of memory')
    return { kind: 'memory', message: `The code ran out of memory${during}.` };
  if (facts.message === 'string too long') {
    return {
      kind: 'memory',
      message: 'The code built a string longer than the sandbox allows.',
      ...userFrames(facts, source),
    };
  }
  if (facts.message === 'stack overflow') {
    return {
      kind: 'stack',
      message: 'The code recursed deeper than its stack allows.',
      ...userFrames(facts, source),
    };
  }
  return undefined;
}

function syntaxFailure(facts: ThrownFacts, message: string, source: string): CodeFailure {
  const failure: CodeFailure = { kind: 'syntax', name: 'SyntaxError', message };
  if (facts.lineNumber === undefined) return failure;
  const line = toUserLine(facts.lineNumber, source);
  if (isPastUserSource(facts.lineNumber, source)) {
    // QuickJS names a token of the wrapper here, which the user never wrote.
    return { ...failure, message: 'The code ends too early: is a bracket, brace or quote left open?', line };
  }
  return { ...failure, line, ...(facts.columnNumber === undefined ? {} : { column: facts.columnNumber }) };
}

function userFrames(facts: ThrownFacts, source: string): Pick<CodeFailure, 'stack' | 'line' | 'column'> {
  if (facts.stack === undefined) return {};
  const { stack, location } = trimToUserFrames(facts.stack, source);
  return {
    ...(stack === '' ? {} : { stack }),
    ...(location === undefined ? {} : { line: location.line }),
    ...(location?.column === undefined ? {} : { column: location.column }),
  };
}

function truncate(text: string): string {
  return text.length <= maxMessageChars ? text : `${text.slice(0, maxMessageChars)}… [truncated]`;
}
