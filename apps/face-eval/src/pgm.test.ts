import { describe, expect, it } from 'vitest';
import { decodePgm } from './pgm';

const enc = (s: string) => new Uint8Array([...s].map((c) => c.charCodeAt(0)));
const cat = (...a: Uint8Array[]) => { const o = new Uint8Array(a.reduce((n, x) => n + x.length, 0)); let k = 0; for (const x of a) { o.set(x, k); k += x.length; } return o; };

describe('decodePgm', () => {
  it('decodes P5 with comments, 8 and 16 bits', () => {
    const img = decodePgm(cat(enc('P5\n# made by hand\n3 2\n255\n'), new Uint8Array([0, 51, 255, 102, 204, 0])));
    expect([img.width, img.height]).toEqual([3, 2]);
    expect(Array.from(img.data).map((v) => Math.round(v * 255))).toEqual([0, 51, 255, 102, 204, 0]);
    const img16 = decodePgm(cat(enc('P5 2 1 1000 '), new Uint8Array([0x01, 0xf4, 0x03, 0xe8])));
    expect(Array.from(img16.data)).toEqual([0.5, 1]);
  });
  it('refuses other formats, corrupt headers and truncated data', () => {
    expect(() => decodePgm(enc('P2\n1 1\n255\n0'))).toThrow(/P5/);
    expect(() => decodePgm(enc('P5\nx 1\n255\n'))).toThrow(/corrupt/);
    expect(() => decodePgm(cat(enc('P5 2 2 255\n'), new Uint8Array([1, 2, 3])))).toThrow(/truncated/);
  });
});
