/**
 * @module PII redaction for LLM traffic: a workflow setting names the kinds to remove (e-mail,
 * phone, card, IBAN) and any custom patterns; the redactor is compiled once and applied to every
 * message of every call, on input and/or output. Found items become placeholders such as `[EMAIL]`
 * and are counted per kind, so the ledger can say what was removed without storing it.
 */
import { SwitchyardError } from '../../errors/switchyard-error.ts';
import { ExpressionFault } from '../../expressions/fault.ts';
import { LinearRegExp } from '../../expressions/linear-regex.ts';
import { type Detector, detectCard, detectEmail, detectIban, detectPhone } from './detectors.ts';

export type PiiKind = 'email' | 'phone' | 'card' | 'iban';

export interface PiiPattern {
  readonly name: string;
  readonly regex: string;
  /** Any of `i`, `m`, `s`; the pattern always runs globally. */
  readonly flags?: string;
}

export interface PiiOptions {
  readonly kinds: readonly PiiKind[];
  readonly patterns?: readonly PiiPattern[];
  /** The text put in place of the `index`-th item (0-based, per kind and call) of `kind`. */
  readonly replacement?: (kind: string, index: number) => string;
}

export interface PiiResult {
  readonly text: string;
  /** Items replaced, per kind or pattern name; kinds with none are absent. */
  readonly found: Readonly<Record<string, number>>;
}

/*
 * Order matters: an e-mail or IBAN contains digit runs a card or phone detector would otherwise
 * take a piece of, and a card number's groups look like a phone number.
 */
const BUILT_IN: readonly (readonly [PiiKind, Detector])[] = [
  ['email', detectEmail],
  ['iban', detectIban],
  ['card', detectCard],
  ['phone', detectPhone],
];

const KINDS: ReadonlySet<string> = new Set(BUILT_IN.map(([kind]) => kind));

/**
 * Texts longer than this are redacted slice by slice, cut at whitespace, so one huge message cannot
 * make a pattern's work grow without bound in a single native call.
 */
const SLICE_CHARS = 1 << 20;
/** How far back from the slice limit to look for whitespace to cut at. */
const CUT_WINDOW = 4096;

/**
 * Built-in placeholders never match again, so passes end by themselves; the cap stops a custom
 * pattern that matches its own placeholder from looping.
 */
const MAX_PASSES = 4;

const defaultReplacement = (kind: string): string => `[${kind.toUpperCase()}]`;

/** Validates the options and returns a redactor; throws SY_CONFIG_INVALID naming what is wrong. */
export function compilePiiRedactor(options: PiiOptions): (text: string) => PiiResult {
  const stages: (readonly [string, Detector])[] = [];
  for (const [i, kind] of options.kinds.entries()) {
    if (!KINDS.has(kind)) {
      throw new SwitchyardError('SY_CONFIG_INVALID', `Unknown PII kind "${String(kind)}".`, {
        path: `kinds[${i}]`,
        hint: 'Use email, phone, card or iban; add anything else as a custom pattern.',
      });
    }
  }
  for (const [kind, detector] of BUILT_IN) if (options.kinds.includes(kind)) stages.push([kind, detector]);
  for (const [i, pattern] of (options.patterns ?? []).entries()) {
    if (KINDS.has(pattern.name) || stages.some(([name]) => name === pattern.name)) {
      throw new SwitchyardError('SY_CONFIG_INVALID', `PII pattern name "${pattern.name}" is used twice.`, {
        path: `patterns[${i}].name`,
      });
    }
    stages.push([pattern.name, customDetector(pattern, i)]);
  }
  const replacement = options.replacement ?? defaultReplacement;

  return (text) => {
    const found: Record<string, number> = {};
    let out = '';
    for (const slice of slices(text)) {
      let current = slice;
      // Removing an item can expose its neighbour (an e-mail right before an IBAN counts as part of
      // a longer token until the IBAN is gone), so passes repeat until one finds nothing.
      for (let pass = 0, changed = true; changed && pass < MAX_PASSES; pass++) {
        changed = false;
        for (const [name, detect] of stages) {
          current = detect(current, () => {
            changed = true;
            const index = found[name] ?? 0;
            found[name] = index + 1;
            return replacement(name, index);
          });
        }
      }
      out += current;
    }
    return { text: out, found };
  };
}

/** Splits a long text at whitespace near each slice limit; short texts are one slice. */
function* slices(text: string): Generator<string> {
  let start = 0;
  while (text.length - start > SLICE_CHARS) {
    let cut = start + SLICE_CHARS;
    const floor = cut - CUT_WINDOW;
    while (cut > floor && !/\s/.test(text[cut - 1]!)) cut--;
    if (cut === floor) cut = start + SLICE_CHARS;
    yield text.slice(start, cut);
    start = cut;
  }
  yield text.slice(start);
}

/**
 * A custom pattern runs on V8's linear-time regex engine, so a pattern from a workflow file cannot
 * backtrack catastrophically on a hostile message. That engine has no lookaround, back-references
 * or `u` flag; such patterns are refused when the workflow is loaded, not when a message arrives.
 */
function customDetector(pattern: PiiPattern, index: number): Detector {
  const path = `patterns[${index}]`;
  if (!/^[A-Za-z][\w-]{0,39}$/.test(pattern.name)) {
    throw new SwitchyardError('SY_CONFIG_INVALID', `PII pattern name "${pattern.name}" is not valid.`, {
      path: `${path}.name`,
      hint: 'Use a letter then up to 39 letters, digits, "_" or "-".',
    });
  }
  const flags = pattern.flags ?? '';
  if (!/^[ims]*$/.test(flags)) {
    throw new SwitchyardError(
      'SY_CONFIG_INVALID',
      `PII pattern "${pattern.name}" has unsupported flags "${flags}".`,
      {
        path: `${path}.flags`,
        hint: 'Use any of i, m and s.',
      },
    );
  }
  let regex: RegExp;
  try {
    regex = new LinearRegExp(new RegExp(pattern.regex, `${flags}g`));
  } catch (error) {
    const reason =
      error instanceof ExpressionFault || error instanceof SyntaxError ? error.message : String(error);
    throw new SwitchyardError('SY_CONFIG_INVALID', `PII pattern "${pattern.name}" is not usable: ${reason}`, {
      path: `${path}.regex`,
      hint: 'Write a plain regular expression without lookaround or back-references.',
      cause: error,
    });
  }
  if (regex.test('')) {
    throw new SwitchyardError('SY_CONFIG_INVALID', `PII pattern "${pattern.name}" matches empty text.`, {
      path: `${path}.regex`,
      hint: 'Make the pattern require at least one character.',
    });
  }
  return (text, replace) => text.replace(regex, (match) => (match === '' ? match : replace()));
}

/** A content part of a chat message that carries text. */
function isTextPart(part: unknown): part is { type: 'text'; text: string } {
  return (
    typeof part === 'object' &&
    part !== null &&
    (part as { type?: unknown }).type === 'text' &&
    typeof (part as { text?: unknown }).text === 'string'
  );
}

/**
 * Redacts the text of chat messages: string content and `{ type: 'text', text }` parts. Other parts
 * (images, files, tool calls) pass through unchanged. The input is not modified.
 */
export function redactMessages<T extends { role: string; content: unknown }>(
  messages: readonly T[],
  redact: (text: string) => PiiResult,
): { messages: T[]; found: Record<string, number> } {
  const found: Record<string, number> = {};
  const apply = (text: string): string => {
    const result = redact(text);
    for (const [kind, count] of Object.entries(result.found)) found[kind] = (found[kind] ?? 0) + count;
    return result.text;
  };
  const out = messages.map((message): T => {
    if (typeof message.content === 'string') return { ...message, content: apply(message.content) };
    if (!Array.isArray(message.content)) return message;
    const parts: unknown[] = message.content.map((part: unknown) =>
      isTextPart(part) ? { ...part, text: apply(part.text) } : part,
    );
    return { ...message, content: parts };
  });
  return { messages: out, found };
}
