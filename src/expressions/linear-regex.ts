/**
 * @module The regex engine JSONata runs with: V8's linear-time engine (flag `l`), so no pattern can
 * backtrack catastrophically on hostile input (ReDoS, e.g. `/(a+)+$/` against "aaaa…!"). A regex
 * runs in one native call that JSONata's timeout cannot interrupt, so it must be linear by
 * construction.
 *
 * The engine is off by default; `--enable-experimental-regexp-engine` only makes the `l` flag legal
 * and changes no other regex in the process. Patterns it cannot run in linear time (back-references,
 * lookahead, large counted repetitions) are refused when the expression is compiled. If this Node.js
 * lacks the engine, every regex is refused: failing closed beats hanging the process.
 */
import { setFlagsFromString } from 'node:v8';
import { foldCase } from './case-fold.ts';
import { ExpressionFault } from './fault.ts';

function enableLinearEngine(): boolean {
  setFlagsFromString('--enable-experimental-regexp-engine');
  try {
    // Built from a variable: a literal /(?:)/l would not even parse where the flag is unknown.
    const linear = 'l';
    new RegExp('', linear);
    return true;
  } catch {
    return false;
  }
}

const linearEngineAvailable = enableLinearEngine();

const MAX_CACHED = 1_000;
const folded = new Map<string, { source: string; flags: string }>();

/** Case folding a pattern walks its classes: done once per pattern, not per evaluation. */
function linearForm(pattern: RegExp): { source: string; flags: string } {
  const key = `${pattern.flags}/${pattern.source}`;
  let form = folded.get(key);
  if (form === undefined) {
    const caseless = pattern.flags.includes('i');
    form = {
      source: caseless ? foldCase(pattern.source) : pattern.source,
      flags: `${pattern.flags.replace('i', '')}l`,
    };
    if (folded.size >= MAX_CACHED) folded.clear();
    folded.set(key, form);
  }
  return form;
}

/**
 * JSONata calls `new RegexEngine(regexLiteral)` for each regex it evaluates and then uses
 * `lastIndex` and `exec` on the instance.
 */
export class LinearRegExp extends RegExp {
  constructor(original: RegExp) {
    if (!linearEngineAvailable) {
      throw new ExpressionFault(
        'SY_EXPR_FORBIDDEN',
        'regular expressions are disabled: this Node.js has no linear-time regex engine',
      );
    }
    const form = linearForm(original);
    try {
      super(form.source, form.flags);
    } catch {
      throw new ExpressionFault(
        'SY_EXPR_FORBIDDEN',
        `the regular expression /${original.source}/ cannot run in linear time`,
        'Regexes may not use back-references (\\1), lookahead ((?=…), (?!…)) or large counted repetitions; match a simpler pattern, or split the work with $split and $contains.',
      );
    }
  }
}
