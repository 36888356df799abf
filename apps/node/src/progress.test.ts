import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { progress } from './progress';

/** A fake terminal: collects what is written, with the cursor/clear escapes cli-progress uses. */
function terminal(): Writable & { isTTY: boolean; columns: number; text: () => string; cursorTo: () => boolean; clearLine: () => boolean; moveCursor: () => boolean; clearScreenDown: () => boolean } {
  let out = '';
  const w = new Writable({
    write(chunk, _enc, done) {
      out += chunk.toString();
      done();
    },
  });
  return Object.assign(w, {
    isTTY: true,
    columns: 200,
    text: () => out,
    cursorTo: () => ((out += '\r'), true),
    clearLine: () => true,
    moveCursor: () => true,
    clearScreenDown: () => true,
  });
}

describe('progress', () => {
  it('draws a bar with counts, ETA and extra fields, and prints log lines on their own line, never glued to the bar', () => {
    const t = terminal();
    const bar = progress(4, 'stylising', { eta: true, extra: 'scale {scale}', stream: t });
    bar.tick('loss 1.0', { scale: '1/2 (64×48)' });
    bar.log('Iteration 1 / 4: total loss 1.0000e+0');
    bar.tick('loss 0.5', { scale: '1/2 (64×48)' });
    bar.stop();
    const text = t.text();
    expect(text).toMatch(/stylising +\[[^\]]+\] 2\/4 ETA \S+ scale 1\/2 \(64×48\) loss 0\.5/);
    // The log line replaces the bar's line (cursor to column 1, line cleared), ends with a newline, and the bar is redrawn below it.
    expect(text).toMatch(/\x1b\[1G\x1b\[2KIteration 1 \/ 4: total loss 1\.0000e\+0\n\x1b\[1Gstylising/);
  });
  it('without a terminal: no bar, log lines plain', () => {
    const t = terminal();
    t.isTTY = false;
    const bar = progress(3, 'enrolling', { stream: t });
    bar.tick('a.jpg');
    bar.log('a line');
    bar.stop();
    expect(t.text()).toBe('a line\n');
  });
});
