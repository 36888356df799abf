import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '@likeness/backends/cpu';
import { InvalidArgumentError, useBackend } from '@likeness/backends';
import { expectNoLeaks } from '@likeness/backends/testing';
import { estimateStepBytes } from './memory';
import { tinyExtractor } from './__fixtures__/tiny-extractor';
import type { FeatureExtractor } from './feature-extractor';

let ex: FeatureExtractor;
beforeAll(async () => {
  await useBackend('cpu');
  ex = tinyExtractor();
});
afterAll(() => ex.dispose());

describe('estimateStepBytes', () => {
  it('counts the activations saved for backward, scaled by area', () => {
    // On the 96×96 probe the tiny net saves at least conv1 + relu1 outputs (4 channels each) and the input.
    const b = estimateStepBytes(ex, ['relu2'], 96, 96);
    expect(b).toBeGreaterThanOrEqual(2 * (2 * 96 * 96 * 4 * 4 + 96 * 96 * 3 * 4));
    const ratio = estimateStepBytes(ex, ['relu2'], 960, 960) / b;
    expect(ratio).toBeGreaterThan(99.9);
    expect(ratio).toBeLessThan(100.1);
  });

  it('refuses bad sizes and leaks nothing', async () => {
    expect(() => estimateStepBytes(ex, ['relu1'], 0, 10)).toThrow(/height/);
    let caught: unknown;
    try {
      estimateStepBytes(ex, ['relu1'], 10, 1.5);
    } catch (e) {
      caught = e;
    }
    expect(InvalidArgumentError.isInstance(caught) && caught.argument).toBe('width');
    await expectNoLeaks(() => estimateStepBytes(ex, ['relu2'], 1024, 768));
  });
});
