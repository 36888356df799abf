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
    // frame 84×36 at (56,36), data inset 6 px → 72×24 at (62,42): (far 0, tar .5) → (62, 54); (1,1) → (134, 42)
    expect(svg).toContain('62.00,66.00 62.00,54.00 98.00,54.00 98.00,42.00 134.00,42.00');
    // the curves come after the frame (drawn over it), strictly inside it
    expect(svg.indexOf('<polyline')).toBeGreaterThan(svg.indexOf('fill="none" stroke="#333"'));
    // AUC in the legend: positives {1,3} below negatives {2,4} in 3 of the 4 pairs
    expect(svg).toContain('a&lt;b (AUC 0.750)');
  });

  it('marks a chosen threshold at its operating point, with its TAR and FAR; takes a given AUC', () => {
    const roc = rocCurve([1, 3, 2, 4], [true, true, false, false]);
    // distance ≤ 2.5 accepts 1 (same) and 2 (different): TAR .5, FAR .5 → (98, 54)
    const svg = rocSvg([{ label: 'x', roc, threshold: 2.5, auc: 0.5 }], { size: [156, 120] });
    expect(svg).toContain('<circle cx="98.00" cy="54.00"');
    expect(svg).toContain('threshold 2.5: TAR 50.0 %, FAR 50.0 %');
    expect(svg).toContain('x (AUC 0.500)');
    // similarities (higher = same): ≥ 0.7 accepts 0.9 (same) only → TAR .5, FAR 0 → (62, 54)
    const sim = rocCurve([0.9, 0.6, 0.8, 0.1], [true, true, false, false], { kind: 'similarity' });
    const svg2 = rocSvg([{ label: 'p', roc: sim, threshold: 0.85 }], { size: [156, 120] });
    expect(svg2).toContain('<circle cx="62.00" cy="54.00"');
    expect(svg2).toContain('threshold 0.85: TAR 50.0 %, FAR 0.0 %');
  });

  it('keeps a perfect curve visible: it runs inside the frame, not along it', () => {
    const roc = rocCurve([0.1, 0.2, 0.8, 0.9], [true, true, false, false]);
    const svg = rocSvg([{ label: 'perfect', roc }], { size: [156, 120] });
    const pts = /<polyline[^>]*points="([^"]*)"/.exec(svg)![1]!.split(' ').map((p) => p.split(',').map(Number));
    for (const [x, y] of pts) {
      expect(x).toBeGreaterThan(56 + 5);
      expect(y).toBeGreaterThan(36 + 5);
    }
    expect(svg).toContain('perfect (AUC 1.000)');
  });
  it('thins curves with many points to about one per half pixel', () => {
    const n = 20000;
    const d = Array.from({ length: n }, (_, i) => i + (i % 2 ? 0.5 : 0));
    const same = d.map((_, i) => i % 3 === 0);
    const svg = rocSvg([{ label: 'x', roc: rocCurve(d, same) }]);
    const pts = /<polyline[^>]*points="([^"]*)"/.exec(svg)![1]!.split(' ');
    expect(pts.length).toBeLessThan(2000);
    expect(pts[0]).toBe('62.00,386.00'); // (0,0) kept (inset 6 px inside the frame)
    expect(pts.at(-1)).toBe('498.00,42.00'); // (1,1) kept
  });

  it('refuses an empty list', () => {
    expect(() => rocSvg([])).toThrow(/non-empty/);
  });
});
