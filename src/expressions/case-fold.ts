/**
 * @module Rewrites a case-insensitive regular expression (flag `i`) into an equivalent
 * case-sensitive one, because V8's linear-time engine does not support the `i` flag. Every letter
 * becomes the class of the characters that match it (`a` → `[aA]`), and every character class gains
 * the case variants of its members. Non-unicode syntax, as JSONata writes regexes without `u`.
 *
 * Equivalence follows ECMAScript's Canonicalize for non-unicode patterns (ECMA-262 §22.2.2.7.3):
 * two characters match when their single-character upper cases are equal, except that a non-ASCII
 * character never matches an ASCII one.
 */

let variantTable: Map<number, readonly number[]> | undefined;

/** The characters that match `code` under the `i` flag, itself included; undefined when only itself. */
function variantsOf(code: number): readonly number[] | undefined {
  variantTable ??= buildVariantTable();
  return variantTable.get(code);
}

function canonicalize(code: number): number {
  const upper = String.fromCharCode(code).toUpperCase();
  if (upper.length !== 1) return code;
  const upperCode = upper.charCodeAt(0);
  return code >= 128 && upperCode < 128 ? code : upperCode;
}

function buildVariantTable(): Map<number, readonly number[]> {
  const classes = new Map<number, number[]>();
  for (let code = 0; code <= 0xffff; code++) {
    const canonical = canonicalize(code);
    const members = classes.get(canonical);
    if (members) members.push(code);
    else classes.set(canonical, [code]);
  }
  const table = new Map<number, readonly number[]>();
  for (const members of classes.values()) {
    if (members.length < 2) continue;
    for (const code of members) table.set(code, members);
  }
  return table;
}

/** The pattern, rewritten to match without the `i` flag exactly what it matched with it. */
export function foldCase(source: string): string {
  let out = '';
  let i = 0;
  while (i < source.length) {
    const ch = source[i];
    if (ch === '\\') {
      const escaped = readEscape(source, i, false);
      out += escaped.code === undefined ? escaped.text : foldedChar(escaped.code, escaped.text);
      i = escaped.end;
    } else if (ch === '[') {
      const folded = foldClass(source, i);
      out += folded.text;
      i = folded.end;
    } else if (source.startsWith('(?<', i) && source[i + 3] !== '=' && source[i + 3] !== '!') {
      // A group name is an identifier, not text to match: copy it as it is.
      const close = source.indexOf('>', i);
      out += source.slice(i, close + 1);
      i = close + 1;
    } else {
      out += foldedChar(source.charCodeAt(i), ch ?? '');
      i++;
    }
  }
  return out;
}

function foldedChar(code: number, text: string): string {
  const variants = variantsOf(code);
  return variants ? `[${variants.map(hex).join('')}]` : text;
}

interface Escape {
  /** The character the escape stands for; undefined for classes (`\d`), assertions and references. */
  readonly code: number | undefined;
  readonly text: string;
  readonly end: number;
}

const CLASS_ESCAPES = 'dDwWsS';
const CONTROL_ESCAPES: Readonly<Record<string, number>> = { n: 10, r: 13, t: 9, v: 11, f: 12 };

function readEscape(source: string, start: number, inClass: boolean): Escape {
  const next = source[start + 1] ?? '';
  const verbatim = (length: number): Escape => ({
    code: undefined,
    text: source.slice(start, start + length),
    end: start + length,
  });
  const char = (code: number, length: number): Escape => ({
    code,
    text: source.slice(start, start + length),
    end: start + length,
  });
  if (CLASS_ESCAPES.includes(next)) return verbatim(2);
  if (next === 'b') return inClass ? char(8, 2) : verbatim(2);
  if (next === 'B') return verbatim(2);
  if (next === 'k' && source[start + 2] === '<') return verbatim(source.indexOf('>', start) + 1 - start);
  if (next >= '1' && next <= '9') {
    // A back-reference (or a legacy octal escape); digits have no case either way.
    let end = start + 2;
    while (/[0-9]/.test(source[end] ?? '')) end++;
    return verbatim(end - start);
  }
  const control = CONTROL_ESCAPES[next];
  if (control !== undefined) return char(control, 2);
  if (next === '0') return char(0, 2);
  if (next === 'x' && /^[0-9a-fA-F]{2}$/.test(source.slice(start + 2, start + 4))) {
    return char(Number.parseInt(source.slice(start + 2, start + 4), 16), 4);
  }
  if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(source.slice(start + 2, start + 6))) {
    return char(Number.parseInt(source.slice(start + 2, start + 6), 16), 6);
  }
  if (next === 'c' && /[a-zA-Z]/.test(source[start + 2] ?? '')) {
    return char(source.charCodeAt(start + 2) % 32, 3);
  }
  // An identity escape (`\.`, `\-`, or a letter in non-unicode mode) stands for the character.
  return char(next.charCodeAt(0), 2);
}

type ClassItem =
  | { readonly kind: 'range'; readonly from: number; readonly to: number }
  | { readonly kind: 'verbatim'; readonly text: string };

/** Re-emits a character class with the case variants of its members added. */
function foldClass(source: string, start: number): { text: string; end: number } {
  let i = start + 1;
  const negated = source[i] === '^';
  if (negated) i++;
  const items: ClassItem[] = [];
  while (i < source.length && source[i] !== ']') {
    const from = readClassAtom(source, i);
    i = from.end;
    const to = source[i] === '-' && source[i + 1] !== ']' ? readClassAtom(source, i + 1) : undefined;
    if (to !== undefined && from.code !== undefined && to.code !== undefined) {
      items.push({ kind: 'range', from: from.code, to: to.code });
      i = to.end;
    } else {
      items.push(from.code === undefined ? { kind: 'verbatim', text: from.text } : single(from.code));
    }
  }
  const extra = caseVariantsOutside(items);
  const body = [...items, ...extra].map(emitItem).join('');
  return { text: `[${negated ? '^' : ''}${body}]`, end: i + 1 };
}

function readClassAtom(source: string, start: number): Escape {
  if (source[start] === '\\') return readEscape(source, start, true);
  return { code: source.charCodeAt(start), text: source[start] ?? '', end: start + 1 };
}

function single(code: number): ClassItem {
  return { kind: 'range', from: code, to: code };
}

/** The variants of every member that the class does not already hold, as compact ranges. */
function caseVariantsOutside(items: readonly ClassItem[]): ClassItem[] {
  const ranges = items.filter((item) => item.kind === 'range');
  const inClass = (code: number): boolean => ranges.some((range) => code >= range.from && code <= range.to);
  const extra = new Set<number>();
  for (const range of ranges) {
    for (let code = range.from; code <= range.to; code++) {
      for (const variant of variantsOf(code) ?? []) {
        if (!inClass(variant)) extra.add(variant);
      }
    }
  }
  const sorted = [...extra].sort((a, b) => a - b);
  const merged: ClassItem[] = [];
  let runStart: number | undefined;
  sorted.forEach((code, index) => {
    runStart ??= code;
    if (sorted[index + 1] !== code + 1) {
      merged.push({ kind: 'range', from: runStart, to: code });
      runStart = undefined;
    }
  });
  return merged;
}

function emitItem(item: ClassItem): string {
  if (item.kind === 'verbatim') return item.text;
  return item.from === item.to ? hex(item.from) : `${hex(item.from)}-${hex(item.to)}`;
}

function hex(code: number): string {
  return `\\u${code.toString(16).padStart(4, '0')}`;
}
