import { describe, expect, it } from 'vitest';
import { isPastUserSource, toUserLine, trimToUserFrames, wrapUserSource } from './user-source.ts';

describe('wrapUserSource', () => {
  it('puts the code on the line after the wrapper header', () => {
    expect(wrapUserSource('return 1').split('\n')[1]).toBe('return 1');
  });
});

describe('line mapping', () => {
  it('shifts lines back by the header and clamps them into the source', () => {
    const source = 'a\nb\nc';
    expect(toUserLine(2, source)).toBe(1);
    expect(toUserLine(4, source)).toBe(3);
    expect(toUserLine(5, source)).toBe(3);
    expect(toUserLine(1, source)).toBe(1);
    expect(isPastUserSource(4, source)).toBe(false);
    expect(isPastUserSource(5, source)).toBe(true);
  });
});

describe('trimToUserFrames', () => {
  const source = 'line1\nline2\nline3';

  it('keeps user and native frames, drops prelude frames, renumbers lines', () => {
    const stack = [
      '    at inner (code.js:3:5)',
      '    at map (native)',
      '    at <anonymous> (code.js:4:2)',
      '    at serialize (switchyard-prelude.js:80:10)',
      '',
    ].join('\n');
    expect(trimToUserFrames(stack, source)).toEqual({
      stack: '    at inner (code.js:2:5)\n    at map (native)\n    at <anonymous> (code.js:3:2)',
      location: { line: 2, column: 5 },
    });
  });

  it('drops native frames that only the prelude called', () => {
    const stack = '    at stringify (native)\n    at serialize (switchyard-prelude.js:80:10)\n';
    expect(trimToUserFrames(stack, source)).toEqual({ stack: '' });
  });

  it('summarises thousands of recursive frames', () => {
    const stack = '    at f (code.js:2:3)\n'.repeat(5000);
    const { stack: trimmed } = trimToUserFrames(stack, source);
    const lines = trimmed.split('\n');
    expect(lines).toHaveLength(21);
    expect(lines.at(-1)).toBe('    ... 4980 more frames');
  });
});
