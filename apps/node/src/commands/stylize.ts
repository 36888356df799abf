import { basename, dirname, extname, join } from 'node:path';
import { existsSync, statSync } from 'node:fs';
import { ImageTooLargeError, InvalidArgumentError, LikenessError, ShapeError, WeightsMismatchError, loadVgg, type FeatureExtractor } from '@likeness/nst';
import { fileHandler, loadDefaultExtractor } from '@likeness/nst/node';
import { CliError, EXIT } from '../errors';
import { fromRgb, readImage, writeImageFile } from '../image-io';
import { cancelledError, onCancel } from '../cancellation';
import { checkOutputPath, IMAGE_EXTENSIONS } from '../output-path';
import type { Session } from '../session';
import { splitIterations, stylise } from '../stylise';
import { parseInteger, parseList, parseNonNegativeInt, parseNumber, parseNumberList, parsePositiveInt } from './options';

/** Options of `likeness stylize`, named as in jcjohnson/neural-style (commander keeps the underscores). */
export interface StylizeOptions {
  out?: string;
  content_image?: string;
  style_image?: string;
  style_blend_weights?: string;
  image_size?: string;
  iterations?: string;
  scales?: string;
  optimizer?: string;
  learning_rate?: string;
  learning_rate_warmup?: string;
  content_weight?: string;
  style_weight?: string;
  tv_weight?: string;
  init?: string;
  seed?: string;
  style_scale?: string;
  original_colors?: string;
  print_iter?: string;
  save_iter?: string;
  model?: string;
  model_file?: string;
  model_type?: string;
  model_layout?: string;
  backbone?: string;
  weights?: string;
}

const INIT = { random: 'noise', image: 'content', mix: 'mix' } as const;

function choice<T extends string>(name: string, value: string | undefined, choices: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(choices as readonly string[]).includes(value)) throw new CliError(`--${name} must be one of ${choices.join(', ')}; got "${value}"`, EXIT.usage);
  return value as T;
}

/** Everything checked before any image is read or model loaded. */
function parse(contentArg: string | undefined, styleArg: string | undefined, opts: StylizeOptions) {
  if (contentArg !== undefined && opts.content_image !== undefined) throw new CliError('give the content image either as the first argument or as --content_image, not both', EXIT.usage);
  if (styleArg !== undefined && opts.style_image !== undefined) throw new CliError('give the style image(s) either as the second argument or as --style_image, not both', EXIT.usage);
  const content = contentArg ?? opts.content_image;
  if (!content) throw new CliError('missing the content image: `likeness stylize <content> <style> -o out.png` or --content_image', EXIT.usage);
  const styleText = styleArg ?? opts.style_image;
  if (!styleText) throw new CliError('missing the style image: `likeness stylize <content> <style> -o out.png` or --style_image a.jpg,b.jpg', EXIT.usage);
  const styles = parseList('style_image', styleText);
  if (!opts.out) throw new CliError('missing the output: -o/--out/--output_image out.png', EXIT.usage);
  const ext = extname(opts.out).toLowerCase();
  if (!(IMAGE_EXTENSIONS as readonly string[]).includes(ext)) throw new CliError(`--output_image must end in .png, .jpg or .webp, got "${opts.out}"`, EXIT.usage);

  const blend = opts.style_blend_weights === undefined ? undefined : parseNumberList('style_blend_weights', opts.style_blend_weights, { min: 0 });
  if (blend && blend.length !== styles.length) {
    throw new CliError(`--style_blend_weights needs one weight per style image (${styles.length}), got ${blend.length}`, EXIT.usage);
  }
  if (blend && !blend.some((w) => w > 0)) throw new CliError('--style_blend_weights must have at least one weight > 0', EXIT.usage);
  const size = parsePositiveInt('image_size', opts.image_size, 256);
  if (size < 16 || size > 4096) throw new CliError(`--image_size must be between 16 and 4096, got ${size}`, EXIT.usage);
  const scales = opts.scales === undefined ? [0.5, 1] : parseNumberList('scales', opts.scales, { min: 0, exclusiveMin: true, max: 1 });
  if (scales.some((s, i) => i > 0 && s <= scales[i - 1]!) || scales.at(-1) !== 1) {
    throw new CliError(`--scales must be ascending fractions ending with 1 (e.g. 0.5,1), got "${opts.scales}"`, EXIT.usage);
  }
  // Default: the measured sheet recipe (0.5,1 × 150,50; packages/nst/docs/COMPARISON.md), 200 split 2:1 otherwise.
  let iterations: number | number[] = opts.scales === undefined ? [150, 50] : 200;
  if (opts.iterations !== undefined) {
    const list = parseList('iterations', opts.iterations).map((v) => parsePositiveInt('iterations', v, 0));
    if (list.length === 1) iterations = list[0]!;
    else if (list.length === scales.length) iterations = list;
    else throw new CliError(`--iterations must be one number or one per scale (${scales.length}), got "${opts.iterations}"`, EXIT.usage);
  }
  const total = typeof iterations === 'number' ? iterations : iterations.reduce((a, b) => a + b, 0);
  if (typeof iterations === 'number' && iterations < scales.length) {
    throw new CliError(`--iterations must be at least the number of scales (${scales.length}), got ${iterations}`, EXIT.usage);
  }
  const originalColors = choice('original_colors', opts.original_colors, ['0', '1'] as const);
  const modelType = choice('model_type', opts.model_type, ['vgg16', 'vgg19'] as const);
  const modelLayout = choice('model_layout', opts.model_layout, ['keras', 'torchvision'] as const);
  const backbone = choice('backbone', opts.backbone, ['mobilenet_v2', 'inception_v3', 'vgg16', 'vgg19'] as const);
  let model = choice('model', opts.model, ['mobilenet_v2', 'inception_v3'] as const);
  let modelFile = opts.model_file;
  let vggDepth = modelType;
  if (backbone !== undefined) {
    // --backbone/--weights: the short form; --model/--model_file/--model_type: jcjohnson/neural-style's.
    if (model || modelFile || modelType) throw new CliError('give the network either as --backbone (with --weights for VGG) or as --model/--model_file/--model_type, not both', EXIT.usage);
    if (backbone === 'vgg16' || backbone === 'vgg19') {
      if (!opts.weights) throw new CliError(`--backbone ${backbone} needs --weights <folder>: the folder holding the network's model.json and weight files (tfjs format)`, EXIT.usage);
      modelFile = opts.weights;
      vggDepth = backbone;
    } else {
      if (opts.weights) throw new CliError(`--weights is for --backbone vgg16 or vgg19; ${backbone} is bundled`, EXIT.usage);
      model = backbone;
    }
  } else if (opts.weights) {
    throw new CliError('--weights needs --backbone vgg16 or vgg19 (e.g. --backbone vgg19 --weights ./vgg19)', EXIT.usage);
  }
  if (modelFile && model) throw new CliError('give either --model (a bundled network) or --model_file (a VGG model.json), not both', EXIT.usage);
  if (!modelFile && (modelType || modelLayout)) throw new CliError('--model_type and --model_layout describe --model_file or --weights: give one of them too', EXIT.usage);
  const initName = choice('init', opts.init, ['random', 'image', 'mix'] as const);
  return {
    content,
    styles,
    out: opts.out,
    size,
    scales,
    iterations,
    total,
    styleBlendWeights: blend,
    optimizer: choice('optimizer', opts.optimizer, ['adam', 'lbfgs'] as const),
    learningRate: parseNumber('learning_rate', opts.learning_rate, { min: 0, exclusiveMin: true }),
    learningRateWarmup: opts.learning_rate_warmup === undefined ? undefined : parseNonNegativeInt('learning_rate_warmup', opts.learning_rate_warmup, 0),
    contentWeight: parseNumber('content_weight', opts.content_weight, { min: 0 }),
    styleWeight: parseNumber('style_weight', opts.style_weight, { min: 0 }),
    tvWeight: parseNumber('tv_weight', opts.tv_weight, { min: 0 }),
    init: initName ? INIT[initName] : undefined,
    seed: parseInteger('seed', opts.seed),
    styleScale: parseNumber('style_scale', opts.style_scale, { min: 0, exclusiveMin: true, max: 8 }),
    preserveColors: originalColors === undefined ? undefined : originalColors === '1',
    printIter: parseNonNegativeInt('print_iter', opts.print_iter, 0),
    saveIter: parseNonNegativeInt('save_iter', opts.save_iter, 0),
    model,
    modelFile,
    modelFlag: opts.weights !== undefined ? '--weights' : '--model_file',
    modelType: vggDepth ?? 'vgg19',
    modelLayout: modelLayout ?? 'keras',
  };
}

async function loadExtractor(p: ReturnType<typeof parse>): Promise<FeatureExtractor> {
  if (!p.modelFile) return loadDefaultExtractor({ model: p.model ?? 'mobilenet_v2' });
  if (!existsSync(p.modelFile)) throw new CliError(`file not found: ${p.modelFile} (${p.modelFlag}: a tfjs model.json with VGG weights beside it, or its folder)`, EXIT.badInput);
  // A folder (as downloaded or converted) stands for the model.json inside it.
  const json = statSync(p.modelFile).isDirectory() ? join(p.modelFile, 'model.json') : p.modelFile;
  if (!existsSync(json)) throw new CliError(`no model.json in ${p.modelFile} (${p.modelFlag}: the folder holding a tfjs model.json and its weight files)`, EXIT.badInput);
  try {
    return await loadVgg(fileHandler(json), { depth: p.modelType === 'vgg16' ? 16 : 19, layout: p.modelLayout });
  } catch (error) {
    if (LikenessError.isInstance(error)) throw new CliError(`${p.modelFlag} ${p.modelFile}: ${(error as Error).message}`, EXIT.badInput, { cause: error });
    throw error;
  }
}

/**
 * Refuses, with a message naming the flags to change, images that the network
 * cannot take at the coarsest scale: the smallest side is the extractor's own
 * `minInputSide` for its default layers (e.g. 43 px for InceptionV3, whose
 * valid-padded reductions leave nothing below that).
 */
function checkSides(
  p: ReturnType<typeof parse>,
  styleScale: number,
  extractor: FeatureExtractor,
  content: { width: number; height: number },
  styles: readonly { width: number; height: number }[],
): void {
  const d = extractor.defaults;
  const minSide = extractor.minInputSide?.([...new Set([...d.contentLayers, ...d.styleLayers])]) ?? 1;
  // The engine resizes each style so its longer side is styleScale × the content's, at every scale.
  const long = Math.max(content.width, content.height) * p.scales[0]! * styleScale;
  const sides = [Math.min(content.width, content.height) * p.scales[0]!, ...styles.map((st) => (long * Math.min(st.width, st.height)) / Math.max(st.width, st.height))];
  if (Math.min(...sides) < minSide) {
    const which = p.modelFile ? `${p.modelFlag} ${p.modelFile}` : `--model ${p.model ?? 'mobilenet_v2'}`;
    const other = p.model === 'inception_v3' ? ', or --model mobilenet_v2' : '';
    throw new CliError(
      `${which} needs every image side ≥ ${minSide} px at the coarsest scale (${p.scales[0]}); the smallest here is ${Math.floor(Math.min(...sides))} px: use larger images, --image_size, --scales or --style_scale${other}`,
      EXIT.usage,
    );
  }
}

/**
 * `likeness stylize content.jpg style.jpg -o out.png [jcjohnson/neural-style flags]`:
 * neural style transfer.
 */
export async function stylizeCommand(session: Session, contentArg: string | undefined, styleArg: string | undefined, opts: StylizeOptions): Promise<void> {
  const p = parse(contentArg, styleArg, opts);
  // Output paths (the result and the --save_iter images beside it) are checked before any image is read.
  await checkOutputPath(p.out, { flag: '-o/--output_image', extensions: IMAGE_EXTENSIONS });
  const content = await readImage(p.content, { maxSide: p.size });
  const backend = await session.backend();
  const extractor = await loadExtractor(p);
  // Style images are read at the output's size; the engine magnifies them by the style scale (the
  // network's default when --style_scale is not given): larger strokes without the style's finer
  // detail (reading them larger brought that detail back as grain: packages/nst/docs/COMPARISON.md).
  const styleScale = p.styleScale ?? extractor.defaults.styleScale ?? 1;
  const styles = [];
  try {
    for (const s of p.styles) styles.push(await readImage(s, { maxSide: p.size }));
    checkSides(p, styleScale, extractor, content, styles);
  } catch (error) {
    extractor.dispose();
    throw error;
  }
  const t0 = performance.now();
  const perScale = typeof p.iterations === 'number' ? splitIterations(p.iterations, p.scales) : p.iterations;
  const starts = perScale.map((_, i) => perScale.slice(0, i).reduce((a, b) => a + b, 0));
  const sizeAt = (i: number) => `${Math.round(content.width * p.scales[i]!)}×${Math.round(content.height * p.scales[i]!)}`;
  const bar = session.progress(p.total, 'stylising', { eta: true, extra: 'scale {scale}' });
  let lastLoss = NaN;
  const saved: string[] = [];
  const stem = join(dirname(p.out), basename(p.out, extname(p.out)));
  // Ctrl-C stops between iterations (exit 130); the output is not written.
  const abort = new AbortController();
  const offCancel = onCancel(() => abort.abort(cancelledError('output not written')));
  try {
    const out = await stylise(content, styles, {
      extractor,
      iterations: p.iterations,
      scales: p.scales,
      styleBlendWeights: p.styleBlendWeights,
      contentWeight: p.contentWeight,
      styleWeight: p.styleWeight,
      tvWeight: p.tvWeight,
      init: p.init,
      seed: p.seed,
      optimizer: p.optimizer,
      learningRate: p.learningRate,
      learningRateWarmup: p.learningRateWarmup,
      styleScale: p.styleScale,
      preserveColors: p.preserveColors,
      signal: abort.signal,
      imageEvery: p.saveIter,
      onImage: async (done, image) => {
        const file = `${stem}_${done}${extname(p.out)}`;
        try {
          await writeImageFile(file, fromRgb(image));
          saved.push(file);
        } catch (error) {
          // An intermediate that cannot be written does not stop the run (the fallback copy is named).
          if (!(error instanceof CliError)) throw error;
          bar.log(`likeness: warning: ${error.message}`);
        }
      },
      onProgress: (done, total, loss) => {
        lastLoss = loss;
        let scale = 0;
        while (scale + 1 < starts.length && done > starts[scale + 1]!) scale++;
        if (scale > 0 && done === starts[scale]! + 1) {
          bar.log(
            `scale ${scale + 1}/${p.scales.length}: ${sizeAt(scale)} px, starting from the ${sizeAt(scale - 1)} result enlarged; the loss is measured afresh at this size (more pixels and finer detail to match), so it jumps, then falls again`,
          );
        }
        if (p.printIter > 0 && (done % p.printIter === 0 || done === total)) bar.log(`Iteration ${done} / ${total}: total loss ${loss.toExponential(4)}`);
        bar.tick(`loss ${loss.toExponential(3)}`, { scale: `${scale + 1}/${p.scales.length} (${sizeAt(scale)})` });
      },
    });
    bar.stop();
    await writeImageFile(p.out, fromRgb(out));
  } catch (error) {
    if (ImageTooLargeError.isInstance(error) || InvalidArgumentError.isInstance(error) || ShapeError.isInstance(error)) {
      throw new CliError((error as Error).message, EXIT.usage, { cause: error });
    }
    if (WeightsMismatchError.isInstance(error)) throw new CliError((error as Error).message, EXIT.badInput, { cause: error });
    throw error;
  } finally {
    bar.stop();
    offCancel();
    extractor.dispose();
  }
  const seconds = (performance.now() - t0) / 1000;
  session.log(
    `stylised ${p.content} (${content.width}×${content.height}) in the style of ${p.styles.join(', ')}: ${p.out} (${p.total} iterations, ${seconds.toFixed(1)} s, backend ${backend.name}, final loss ${lastLoss.toExponential(3)})`,
  );
  session.result({ out: p.out, width: content.width, height: content.height, iterations: p.total, seconds, loss: lastLoss, backend: backend.name, saved });
}
