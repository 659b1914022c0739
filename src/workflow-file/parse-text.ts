/**
 * @module Workflow text (JSON or YAML) to a document, keeping positions: a syntax error gets its line
 * and column, and a validation problem's path (`nodes[3].params.url`) can be traced to its line.
 */
import { type ParseError, parse as parseJson, printParseErrorCode } from 'jsonc-parser';
import { yaml } from '../json/yaml.ts';

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
  const { isNode, LineCounter, parseDocument } = yaml();
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    const { line, col } = lineCounter.linePos(first.pos[0]);
    return {
      ok: false,
      message: first.message.split('\n')[0] ?? 'the YAML does not parse',
      position: { line, column: col },
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

/** Strict JSON (no comments, no trailing commas), with the position of the first error. */
function checkJson(text: string): ParsedText | undefined {
  const errors: ParseError[] = [];
  parseJson(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const first = errors[0];
  if (!first) return undefined;
  return {
    ok: false,
    message: `invalid JSON: ${printParseErrorCode(first.error)}`,
    position: positionOf(text, first.offset),
  };
}

function positionOf(text: string, offset: number): Position {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: (before[before.length - 1]?.length ?? 0) + 1 };
}
