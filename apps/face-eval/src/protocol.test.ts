import { describe, expect, it } from 'vitest';
import type { OrlImage } from './orl';
import { ORL_SPLITS } from './splits';
import { evaluateAllPeople, evaluateEncoderOnSplit, oneShotTop1, summarize } from './protocol';

const images: OrlImage[] = [];
for (let p = 1; p <= 40; p++) for (let i = 1; i <= 10; i++) images.push({ person: `s${p}`, index: i, width: 1, height: 1, data: new Float32Array([p, i]) });

describe('ORL protocol', () => {
  it('splits: 10 held-out and 30 training people each, disjoint', () => {
    for (const s of ORL_SPLITS) {
      expect(s.test).toHaveLength(10);
      expect(s.train).toHaveLength(30);
      expect(s.train.some((p) => s.test.includes(p))).toBe(false);
    }
  });

  it('perfect embeddings: 450/4,500 held-out pairs, 90 probes, everything at 100 %', async () => {
    const embed = (ims: readonly OrlImage[]) => ims.map((im) => [Number(im.person.slice(1)) * 10, im.index * 0.01]);
    const r = await evaluateEncoderOnSplit(embed, ORL_SPLITS[1]!, images);
    expect([r.samePairs, r.differentPairs, r.probes]).toEqual([450, 4500, 90]);
    expect([r.auc, r.eer, r.balancedAccuracy, r.tarAtFar1e3, r.top1]).toEqual([1, 0, 1, 1, 1]);
    const all = await evaluateAllPeople(embed, images);
    expect([all.samePairs, all.differentPairs, all.probes]).toEqual([1800, 78000, 360]);
    expect(all.balancedAccuracy).toBeNull();
  });

  it('one-shot top-1 counts nearest enrolled 1.pgm (hand-made case)', () => {
    const ims = images.filter((im) => im.person === 's1' || im.person === 's2');
    // s1 images near 0 except s1/5 which sits at s2's enrolment point (10)
    const emb = ims.map((im) => [im.person === 's1' ? (im.index === 5 ? 10 : 0) : 10]);
    expect(oneShotTop1(ims, emb)).toEqual({ top1: 17 / 18, probes: 18 });
  });

  it('summarize: mean and sample standard deviation', () => {
    const s = summarize([{ auc: 0.9 }, { auc: 0.95 }, { auc: 1 }].map((x) => ({ ...x, eer: 0, balancedAccuracy: 1, tarAtFar1e2: 1, tarAtFar1e3: 1, top1: 1 }) as never));
    expect(s.auc.mean).toBeCloseTo(0.95, 12);
    expect(s.auc.std).toBeCloseTo(0.05, 12); // sqrt((0.05²+0+0.05²)/2)
  });

  it('refuses a wrong number of embeddings and NaN embeddings', async () => {
    await expect(evaluateAllPeople(() => [[1]], images)).rejects.toThrow(/one vector per image/);
    await expect(evaluateAllPeople((ims) => ims.map(() => [NaN]), images)).rejects.toThrow(/NaN/);
  });
});
