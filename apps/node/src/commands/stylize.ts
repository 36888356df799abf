import { extname } from 'node:path';
import { CliError, EXIT } from '../errors';
import { fromRgb, readImage, writeImageFile } from '../image-io';
import { progress } from '../progress';
import type { Session } from '../session';
import { stylise } from '../stylise';
import { parsePositiveInt } from './options';

export interface StylizeOptions {
  out: string;
  iterations?: string;
  size?: string;
}

/** `likeness stylize content.jpg style.jpg --out out.png`: neural style transfer. */
export async function stylizeCommand(session: Session, contentPath: string, stylePath: string, opts: StylizeOptions): Promise<void> {
  const ext = extname(opts.out).toLowerCase();
  if (!['.png', '.jpg', '.jpeg', '.webp'].includes(ext)) {
    throw new CliError(`--out must end in .png, .jpg or .webp, got "${opts.out}"`, EXIT.usage);
  }
  const iterations = parsePositiveInt('iterations', opts.iterations, 100);
  const size = parsePositiveInt('size', opts.size, 256);
  if (size < 32 || size > 1024) throw new CliError(`--size must be between 32 and 1024, got ${size}`, EXIT.usage);
  const content = await readImage(contentPath, { maxSide: size });
  const style = await readImage(stylePath, { maxSide: size });
  const backend = await session.backend();
  const t0 = performance.now();
  const bar = progress(iterations, 'stylising', session.options.progress);
  let lastLoss = NaN;
  // Ctrl-C stops between iterations; nothing is written.
  const abort = new AbortController();
  const onSigint = () => abort.abort(new CliError('cancelled; nothing written', EXIT.unexpected));
  process.once('SIGINT', onSigint);
  try {
    const out = await stylise(content, style, {
      iterations,
      signal: abort.signal,
      onProgress: (done, total, loss) => {
        lastLoss = loss;
        bar.tick(`loss ${loss.toExponential(3)}`);
        void total;
      },
    });
    await writeImageFile(opts.out, fromRgb(out));
  } finally {
    bar.stop();
    process.off('SIGINT', onSigint);
  }
  const seconds = (performance.now() - t0) / 1000;
  session.log(`stylised ${contentPath} (${content.width}×${content.height}) in the style of ${stylePath}: ${opts.out} (${iterations} iterations, ${seconds.toFixed(1)} s, backend ${backend.name}, final loss ${lastLoss.toExponential(3)})`);
  session.result({ out: opts.out, width: content.width, height: content.height, iterations, seconds, loss: lastLoss, backend: backend.name });
}
