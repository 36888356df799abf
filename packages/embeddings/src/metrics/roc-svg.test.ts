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
  it('thins curves with many points to about one per half pixel', () => {
    const n = 20000;
    const d = Array.from({ length: n }, (_, i) => i + (i % 2 ? 0.5 : 0));
    const same = d.map((_, i) => i % 3 === 0);
    const svg = rocSvg([{ label: 'x', roc: rocCurve(d, same) }]);
    const pts = /<polyline[^>]*points="([^"]*)"/.exec(svg)![1]!.split(' ');
    expect(pts.length).toBeLessThan(2000);
    expect(pts[0]).toBe('56.00,392.00'); // (0,0) kept
    expect(pts.at(-1)).toBe('504.00,36.00'); // (1,1) kept
  });

  it('refuses an empty list', () => {
    expect(() => rocSvg([])).toThrow(/non-empty/);
  });
});
