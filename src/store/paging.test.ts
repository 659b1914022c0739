import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, pageLimit, toPage } from './paging.ts';

describe('page cursors', () => {
  it('round-trip a position, whatever the id holds', () => {
    for (const position of [
      { at: 0, id: '' },
      { at: 1_800_000_000_123, id: 'ex/ü 🚀,"]' },
    ]) {
      expect(decodeCursor(encodeCursor(position))).toEqual(position);
    }
  });

  it('refuse anything they did not produce', () => {
    const forged = [
      'garbage',
      Buffer.from('{"at":1}').toString('base64url'),
      Buffer.from('[1]').toString('base64url'),
      Buffer.from('["1","x"]').toString('base64url'),
    ];
    for (const cursor of forged)
      expect(() => decodeCursor(cursor)).toThrow(expect.objectContaining({ code: 'SY_INPUT_INVALID' }));
  });

  it('clamp the page size to 1–500', () => {
    expect([0, -3, 1, 499, 500, 10_000, Number.NaN].map((limit) => pageLimit({ limit }))).toEqual([
      1, 1, 1, 499, 500, 500, 1,
    ]);
  });

  it('offer a next page only when a row beyond the limit exists', () => {
    const rows = [{ t: 3 }, { t: 2 }, { t: 1 }];
    const position = (row: { t: number }) => ({ at: row.t, id: String(row.t) });
    expect(toPage(rows, 3, position, (r) => r.t)).toEqual({ items: [3, 2, 1] });
    const page = toPage(rows, 2, position, (r) => r.t);
    expect(page.items).toEqual([3, 2]);
    expect(decodeCursor(page.next!)).toEqual({ at: 2, id: '2' });
  });
});
