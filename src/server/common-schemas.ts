/** @module Schemas shared by the resources: ids, times, pagination, error data and problem answers. */
import { z } from 'zod';
import { problemResponse } from './problem.ts';

export const resourceId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, 'letters, digits, `_`, `.` and `-`, at most 128')
  .describe('An id: letters, digits, `_`, `.` and `-`.');

export const idParams = z.strictObject({ id: resourceId });

export const isoTime = z.iso.datetime().describe('ISO 8601, UTC.');

export function isoOf(ms: number): string {
  return new Date(ms).toISOString();
}

export function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : isoOf(ms);
}

/** Cursor pagination: pass a page's `next` as `after` to get the page after it. */
export const pageQuery = {
  after: z.string().min(1).max(500).optional().describe('The `next` value of the previous page.'),
  limit: z.coerce.number().int().min(1).max(500).default(50).describe('Items per page, 1–500.'),
};

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    next: z.string().optional().describe('Pass as `after` for the next page; absent on the last page.'),
  });
}

export const errorDataSchema = z
  .object({
    code: z.string(),
    message: z.string(),
    hint: z.string().optional(),
    path: z.string().optional(),
    details: z.record(z.string(), z.unknown()).optional(),
    cause: z.unknown().optional().describe('The error that caused this one, in the same shape.'),
  })
  .meta({ id: 'ErrorData' });

/** Every route answers its failures as problems; this documents that. */
export const problemAnswers = { '4xx': problemResponse, '5xx': problemResponse } as const;

/** `?wait=true`-style flags: a query string carries text, not booleans. */
export const queryFlag = z.enum(['true', 'false']).optional();
