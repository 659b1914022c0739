/**
 * @module The built-in PII detectors. Each one rewrites a text, calling `replace` for every item it
 * finds, and is tuned against false positives on ordinary text (dates, versions, addresses, prices,
 * counts, hashes, code). The rules and their known limits are in README.md next to this file.
 *
 * Every pattern refuses to start inside a word or right after another digit group, and refuses to
 * end where another item of its kind could start. Placeholders contain no digits and no `@`, so they
 * never match; the redactor repeats passes until one finds nothing, which makes it idempotent.
 */

import { ibanValid, luhnValid } from './checksums.ts';

/** Rewrites `text`, replacing each detected item with what `replace` returns. */
export type Detector = (text: string, replace: () => string) => string;

/*
 * E-mail: a practical subset of RFC 5322 addresses, ASCII only. The domain needs a dot and an
 * alphabetic TLD, so `user@localhost`, `@mentions`, `@decorators` and `pkg@1.2.3` are not e-mail.
 * An address followed by `:path` or `/path` is the authority of an scp or URL address
 * (`git@github.com:org/repo.git`) and is left alone.
 */
const EMAIL =
  /(?<![\w.%+-])[\w%+-](?:[\w.%+-]{0,62}[\w%+-])?@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}(?![\w%+-]|\.[A-Za-z0-9]|:\S|\/)/g;

export const detectEmail: Detector = (text, replace) => text.replace(EMAIL, () => replace());

/* IBAN: printed in groups of four or compact, upper case; valid only with length and mod-97. */
const IBAN = /(?<!\w)[A-Z]{2}\d{2}(?:(?: [A-Z0-9]{4})+(?: [A-Z0-9]{1,3})?|[A-Z0-9]{11,30})(?!\w)/g;

export const detectIban: Detector = (text, replace) =>
  text.replace(IBAN, (match) => (ibanValid(match.replaceAll(' ', '')) ? replace() : match));

/*
 * Cards: a maximal run of digit groups joined by single spaces or dashes, not inside a word or after
 * a decimal point; digits glued to a word (`LH400`, `0Z`) are not part of a run. Inside a run, any window of whole groups with 13–19 digits, one separator style, a
 * card layout (see cardLayout), a first digit 2–6 (the issuer ranges of Visa, Mastercard, Amex, Discover, JCB,
 * Diners, UnionPay) and a valid Luhn digit is a card. The first-digit rule keeps millisecond
 * timestamps (`1715520000000`) out; the window search finds a card right after another number.
 */
const DIGIT_RUN = /(?<![\w.]|(?<![\w.])\d+[ -])\d+(?:[ -]\d+)*(?!\w|[ -]\d+(?!\w))/g;

export const detectCard: Detector = (text, replace) =>
  text.replace(DIGIT_RUN, (run) => {
    const groups = run.split(/[ -]/);
    const separators = run.match(/[ -]/g) ?? [];
    let out = '';
    let offset = 0;
    let i = 0;
    while (i < groups.length) {
      const end = cardWindowEnd(groups, separators, i);
      if (end === undefined) {
        i++;
        continue;
      }
      const start = groupOffset(groups, i);
      const stop = groupOffset(groups, end) + groups[end]!.length;
      out += run.slice(offset, start) + replace();
      offset = stop;
      i = end + 1;
    }
    return out + run.slice(offset);
  });

/** The last group of the longest card-shaped window starting at group `first`, if any. */
function cardWindowEnd(groups: readonly string[], separators: readonly string[], first: number) {
  let found: number | undefined;
  let digits = '';
  for (let j = first; j < groups.length; j++) {
    if (j > first && separators[j - 1] !== separators[first]) break;
    digits += groups[j]!;
    if (digits.length > 19) break;
    const layout = groups.slice(first, j + 1).map((g) => g.length);
    if (digits.length >= 13 && cardLayout(layout) && /^[2-6]/.test(digits) && luhnValid(digits)) found = j;
  }
  return found;
}

/**
 * How cards are printed: one block, fours with a shorter last group, or Amex and Diners 4-6-5 and
 * 4-6-4. Other groupings (5-5-5, 3-3-3-3-3) are quantities or references, not cards.
 */
function cardLayout(lengths: readonly number[]): boolean {
  if (lengths.length === 1) return true;
  if (lengths.length === 3 && lengths[0] === 4 && lengths[1] === 6)
    return lengths[2]! >= 4 && lengths[2]! <= 5;
  return lengths.every((n, i) => (i === lengths.length - 1 ? n >= 1 && n <= 4 : n === 4));
}

/** Where group `index` starts in the run: every separator is one character. */
function groupOffset(groups: readonly string[], index: number): number {
  let at = 0;
  for (let k = 0; k < index; k++) at += groups[k]!.length + 1;
  return at;
}

/*
 * Phones. International: `+`, a country code, then digits with optional space, dot, dash or
 * parenthesised parts, 8–15 digits in all (E.164). National: 9–15 digits in 2–6 groups with at least
 * one separator, optionally an area code in parentheses. A number may not touch a word, `#`, `+`,
 * a dot or comma, or another digit group, so dates with times, IPs, versions, ISBNs, UUID parts,
 * prices and order numbers do not qualify; the rejections below catch the shapes that would.
 */
const PHONE = new RegExp(
  String.raw`(?<![\w+#.,\-)]|[\d)][ .\-])` +
    String.raw`(?:\+\d{1,3}(?:[ .\-]?(?:\(\d{1,4}\)|\d)){5,14}` +
    String.raw`|(?:\(\d{2,5}\)[ .\-]?|\d{2,5}[ .\-])\d{2,8}(?:[ .\-]\d{2,8}){0,4})` +
    String.raw`(?!\w|[ .\-]?(?:\d|\(\d|\+\d)|[,:/]\d)`,
  'g',
);

/** Digit shapes that fit the national phone pattern but are something else. */
const NOT_A_PHONE: readonly RegExp[] = [
  /^(?:19|20)\d\d[-./ ]\d\d?[-./ ]\d\d?(?!\d)/, // ISO date, possibly followed by a time
  /^\d\d?[-./]\d\d?[-./](?:19|20)\d\d(?!\d)/, // day-month-year date
  /^\d{1,3}(?:\.\d{1,3}){3}$/, // IPv4 address
  /^\d{5}-\d{4}$/, // US ZIP+4
  /^\d{3}-\d{2}-\d{4}$/, // US social security number: not a phone; a custom pattern can catch it
  /^\d{1,3}(?:([ .])\d{3})(?:\1\d{3})*$/, // 123 456 789 or 1.234.567: a grouped amount
  /^\d{4}(?:[ -]\d{4}){2,}$/, // account or tracking number chunked in fours
];

export const detectPhone: Detector = (text, replace) =>
  text.replace(PHONE, (match) => {
    const digits = match.replace(/\D/g, '').length;
    if (match.startsWith('+')) return digits >= 8 && digits <= 15 ? replace() : match;
    if (digits < 9 || digits > 15) return match;
    return NOT_A_PHONE.some((shape) => shape.test(match)) ? match : replace();
  });
