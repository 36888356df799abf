import { describe, expect, it } from 'vitest';
import { rocCurve } from './roc-curve';
import { rocSvg } from './roc-svg';

describe('rocSvg', () => {
  it('draws one polyline per curve through the ROC points, escaping labels', () => {
    const roc = rocCurve([1, 3, 2, 4], [true, true, false, false]);
    const svg = rocSvg([{ label: 'a<b', roc }, { label: 'c', roc }], { size: [156, 120] });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<polyline/g)).toHaveLength(2);
    expect(svg).toContain('a&lt;b');
    // plot area 84×36 at (56,36): point (far 0, tar .5) → (56, 54); (1,1) → (140, 36)
    expect(svg).toContain('56.00,72.00 56.00,54.00 98.00,54.00 98.00,36.00 140.00,36.00');
  });
  it('refuses an empty list', () => {
    expect(() => rocSvg([])).toThrow(/non-empty/);
  });
});
