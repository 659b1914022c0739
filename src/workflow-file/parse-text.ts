/**
 * @module Workflow text (JSON or YAML) to a document, keeping positions: a syntax error gets its line
 * and column, and a validation problem's path (`nodes[3].params.url`) can be traced to its line.
 */
import { isNode, LineCounter, parseDocument } from 'yaml';

export interface Position {
  readonly line: number;
  readonly column: number;
}

export type ParsedText =
  | {
      readonly ok: true;
      readonly document: unknown;
      locate(path: readonly (string | number)[]): Position | undefined;
    }
  | { readonly ok: false; readonly message: string; readonly position: Position | undefined };

export type TextFormat = 'json' | 'yaml';

export function formatOf(fileName: string): TextFormat {
  return /\.json$/i.test(fileName) ? 'json' : 'yaml';
}

export function parseWorkflowText(text: string, format: TextFormat): ParsedText {
  if (format === 'json') {
    const strict = checkJson(text);
    if (strict) return strict;
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    const [line, column] = first.linePos?.[0]
      ? [first.linePos[0].line, first.linePos[0].col]
      : [undefined, undefined];
    return {
      ok: false,
      message: first.message.split('\n')[0] ?? 'the YAML does not parse',
      position: line === undefined || column === undefined ? undefined : { line, column },
    };
  }
  return {
    ok: true,
    document: doc.toJS({ maxAliasCount: 100 }),
    locate(path) {
      for (let depth = path.length; depth >= 0; depth--) {
        const node = doc.getIn(path.slice(0, depth), true);
        if (isNode(node) && node.range) {
          const { line, col } = lineCounter.linePos(node.range[0]);
          return { line, column: col };
        }
      }
      return undefined;
    },
  };
}

function checkJson(text: string): ParsedText | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (error) {
    const message = (error as Error).message;
    const at = /line (\d+) column (\d+)/.exec(message);
    const offset = /position (\d+)/.exec(message);
    const position = at
      ? { line: Number(at[1]), column: Number(at[2]) }
      : offset
        ? positionOf(text, Number(offset[1]))
        : undefined;
    return { ok: false, message: message.replace(/\s*\(line \d+ column \d+\)/, ''), position };
  }
}

function positionOf(text: string, offset: number): Position {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: (before[before.length - 1]?.length ?? 0) + 1 };
}
