import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorCatalogue } from './catalogue.ts';
import { errorCodes } from './codes.ts';

describe('error code registry', () => {
  it('every code is well formed, with a category, an HTTP status, a summary and a hint', () => {
    for (const [code, info] of Object.entries(errorCodes)) {
      expect(code).toMatch(/^SY_[A-Z]+(_[A-Z0-9]+)*$/);
      expect(['user', 'operational', 'unexpected', 'provider']).toContain(info.category);
      expect(info.status).toBeGreaterThanOrEqual(400);
      expect(info.status).toBeLessThan(600);
      expect(info.summary).toMatch(/^[A-Z].*\.$/);
      expect(info.hint.length).toBeGreaterThan(10);
    }
  });

  it('is documented: docs/errors.md is the generated catalogue', () => {
    const committed = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
    expect(committed).toBe(errorCatalogue());
  });

  it('every code used in the sources exists, and every code is used somewhere', () => {
    const used = new Set(
      execSync('grep -rhoE "\'SY_[A-Z0-9_]+\'" src --include=*.ts --exclude=*.test.ts', { encoding: 'utf8' })
        .split('\n')
        .filter(Boolean)
        .map((s) => s.slice(1, -1)),
    );
    for (const code of used) expect(Object.keys(errorCodes), code).toContain(code);
    const unused = Object.keys(errorCodes).filter((code) => !used.has(code) && code !== 'SY_INTERNAL');
    expect(unused).toEqual([]);
  });
});
