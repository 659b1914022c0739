/**
 * @module Keeps known secret values out of everything Switchyard writes down: stored execution data,
 * errors, traces and log lines. Credentials register their plaintext when they are opened; every
 * string that leaves through those paths is then scanned for it and its encoded forms.
 */
import { secretForms } from './secret-forms.ts';

export const REDACTED = '[REDACTED]';

/** Shorter values would shred ordinary text and are not secrets worth the name. */
const MIN_SECRET_LENGTH = 4;
/** Bounds memory and regex size in a long-running process; the oldest secrets go first. */
const MAX_SECRETS = 10_000;

export class SecretRedactor {
  // Insertion-ordered, so the first entry is the oldest.
  readonly #secrets = new Set<string>();
  #pattern: RegExp | undefined;
  #stale = false;

  add(secret: string): void {
    if (secret.length < MIN_SECRET_LENGTH) return;
    if (this.#secrets.delete(secret)) {
      // Known already: only its age changes, the pattern stays valid.
      this.#secrets.add(secret);
      return;
    }
    this.#secrets.add(secret);
    if (this.#secrets.size > MAX_SECRETS) this.#secrets.delete(this.#secrets.values().next().value!);
    this.#stale = true;
  }

  get size(): number {
    return this.#secrets.size;
  }

  /** Replaces every stretch of `text` covered by an occurrence of a registered form with REDACTED. */
  redactString(text: string): string {
    const pattern = this.#compiled();
    if (pattern === undefined || text.length < MIN_SECRET_LENGTH) return text;
    pattern.lastIndex = 0;
    let match = pattern.exec(text);
    if (match === null) return text;
    let output = '';
    let copied = 0;
    let start = match.index;
    let end = start + match[0].length;
    for (;;) {
      // Resume one past the match start, not at its end: an overlapping secret must be covered too,
      // or the part of it beyond the first match would be left in the clear.
      pattern.lastIndex = match.index + 1;
      match = pattern.exec(text);
      if (match !== null && match.index <= end) {
        end = Math.max(end, match.index + match[0].length);
        continue;
      }
      output += text.slice(copied, start) + REDACTED;
      copied = end;
      if (match === null) break;
      start = match.index;
      end = start + match[0].length;
    }
    return output + text.slice(copied);
  }

  /**
   * Redacts every string in plain objects, arrays and errors, object keys included, copying only
   * what changes: a value without secrets comes back as the same reference. Other objects (Map,
   * Date, Buffer, class instances) are returned as they are.
   */
  redactValue<T>(value: T): T {
    if (this.#compiled() === undefined) return value;
    return this.#redact(value, new Set()) as T;
  }

  #redact(value: unknown, ancestors: Set<object>): unknown {
    if (typeof value === 'string') return this.redactString(value);
    if (typeof value !== 'object' || value === null) return value;
    // The original of a cycle would be serialised unredacted, so it is cut instead.
    if (ancestors.has(value)) return '[Circular]';
    ancestors.add(value);
    try {
      if (Array.isArray(value)) return this.#redactArray(value, ancestors);
      if (value instanceof Error)
        return this.#redactProperties(value, Object.getOwnPropertyNames(value), ancestors);
      const prototype: unknown = Object.getPrototypeOf(value);
      if (prototype === Object.prototype || prototype === null) {
        return this.#redactProperties(value, Object.keys(value), ancestors);
      }
      return value;
    } finally {
      ancestors.delete(value);
    }
  }

  #redactArray(array: readonly unknown[], ancestors: Set<object>): unknown[] {
    let copy: unknown[] | undefined;
    for (const [index, item] of array.entries()) {
      const redacted = this.#redact(item, ancestors);
      if (redacted !== item) {
        copy ??= [...array];
        copy[index] = redacted;
      }
    }
    return copy ?? (array as unknown[]);
  }

  #redactProperties(object: object, keys: readonly string[], ancestors: Set<object>): object {
    const entries = keys.map((key) => {
      const item: unknown = Reflect.get(object, key);
      return { key, item, newKey: this.redactString(key), newItem: this.#redact(item, ancestors) };
    });
    if (entries.every(({ key, item, newKey, newItem }) => key === newKey && item === newItem)) return object;
    const copy: object = Object.create(Object.getPrototypeOf(object));
    for (const { key, newKey, newItem } of entries) {
      // defineProperty, not assignment: a "__proto__" key in parsed JSON must stay a plain key, and an
      // error's non-enumerable message and stack must stay non-enumerable.
      const enumerable = Object.getOwnPropertyDescriptor(object, key)?.enumerable ?? true;
      Object.defineProperty(copy, newKey, { value: newItem, enumerable, writable: true, configurable: true });
    }
    return copy;
  }

  #compiled(): RegExp | undefined {
    if (this.#stale) {
      this.#stale = false;
      const forms = new Set([...this.#secrets].flatMap(secretForms));
      // Longest first: alternation takes the first alternative that matches, and a secret that
      // contains another must be redacted whole.
      const alternatives = [...forms].sort((a, b) => b.length - a.length).map(escapeRegExp);
      this.#pattern = alternatives.length === 0 ? undefined : new RegExp(alternatives.join('|'), 'g');
    }
    return this.#pattern;
  }
}

/** pino's `hooks.logMethod`: redacts every argument (strings, and objects deeply) before pino serialises them. */
export function redactingLogMethod(
  redactor: SecretRedactor,
): (this: unknown, args: unknown[], method: (...args: unknown[]) => void) => void {
  return function redactArguments(this: unknown, args, method) {
    method.apply(this, redactor.size === 0 ? args : args.map((arg) => redactor.redactValue(arg)));
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}
