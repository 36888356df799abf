import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../errors/invalid-argument-error';
import { chromiumPath } from './chromium-path';

describe('chromiumPath', () => {
  it('returns an existing binary path as given', () => {
    expect(chromiumPath(process.execPath)).toBe(process.execPath);
  });

  it('refuses a missing binary with a typed error naming the argument and how to install Chromium', () => {
    const err = (() => {
      try {
        chromiumPath('/nonexistent/chromium');
      } catch (e) {
        return e;
      }
    })();
    expect(InvalidArgumentError.isInstance(err)).toBe(true);
    expect((err as InvalidArgumentError).argument).toBe('path');
    expect((err as Error).message).toMatch(/apt-get install chromium/);
  });
});
