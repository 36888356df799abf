/**
 * `likeness` — the sample CLI of the likeness packages.
 *
 *   likeness backends
 *   likeness verify a.jpg b.jpg
 *   likeness enrol <name> <photos...> --gallery faces.gallery
 *   likeness identify photo.jpg --gallery faces.gallery --out annotated.png
 *   likeness gallery import faces.lkgl --gallery faces.gallery
 *   likeness gallery list --gallery faces.gallery
 *   likeness stylize content.jpg style.jpg --out stylised.png
 *
 * Exit codes: see `EXIT` in errors.ts.
 */
import { Command, CommanderError, Option } from 'commander';
import { BACKEND_CHOICES } from './backend';
import { backendsCommand } from './commands/backends';
import { calibrateCommand } from './commands/calibrate';
import { enrolCommand } from './commands/enrol';
import { galleryImportCommand, galleryListCommand } from './commands/gallery';
import { identifyCommand } from './commands/identify';
import { stylizeCommand } from './commands/stylize';
import { verifyCommand } from './commands/verify';
import { installSigint } from './cancellation';
import { CliError, EXIT } from './errors';
import { THRESHOLD_HELP } from './faces';
import { Session, type GlobalOptions } from './session';

const GALLERY_HELP = 'gallery folder (a PGlite database with pgvector, created by enrol; e.g. faces.gallery)';

function build(): Command {
  const program = new Command('likeness')
    .description('Face verification and identification, and neural style transfer, on TensorFlow.js')
    .addOption(new Option('-b, --backend <name>', 'tfjs backend').choices(BACKEND_CHOICES).default('auto'))
    .option('--json', 'print the result as JSON on stdout', false)
    .option('--no-progress', 'no progress bars')
    .showHelpAfterError('(run `likeness --help` for usage)')
    .exitOverride();

  const session = (cmd: Command) => new Session(cmd.optsWithGlobals() as GlobalOptions);

  program
    .command('backends')
    .description('list the backends that run here and the one chosen')
    .action((_opts, cmd: Command) => backendsCommand(session(cmd)));

  program
    .command('verify')
    .description('are the (largest) faces in two photos the same person? prints the distance and the verdict')
    .argument('<photo-a>')
    .argument('<photo-b>')
    .option('-t, --threshold <distance>', THRESHOLD_HELP)
    .option('-g, --gallery <folder>', 'use the threshold `likeness calibrate` stored in this gallery folder (unless -t is given)')
    .action((a: string, b: string, opts, cmd: Command) => verifyCommand(session(cmd), a, b, opts));

  program
    .command('calibrate')
    .description('pick the threshold for a target false-accept rate from your own labelled photos and store it in a gallery folder (verify -g and identify use it)')
    .argument('<folder>', 'one subfolder of photos per person (at least two people, two photos of someone); the largest face of each photo is used')
    .requiredOption('-g, --gallery <folder>', GALLERY_HELP)
    .option('--far <rate>', 'the false-accept rate to hold, in (0, 0.5] (default: 0.001)')
    .action((folder: string, opts, cmd: Command) => calibrateCommand(session(cmd), folder, opts));

  program
    .command('enrol')
    .alias('enroll')
    .description('add a person (the largest face of each photo) to a gallery folder (created if missing)')
    .argument('<name>')
    .argument('<photos...>')
    .requiredOption('-g, --gallery <folder>', GALLERY_HELP)
    .action((name: string, photos: string[], opts, cmd: Command) => enrolCommand(session(cmd), name, photos, opts));

  program
    .command('identify')
    .description('name every face in a photo from a gallery; optionally write an annotated image')
    .argument('<photo>')
    .requiredOption('-g, --gallery <folder>', `${GALLERY_HELP}; or a .lkgl gallery file (read-only)`)
    .option('-o, --out <image>', 'write the photo with labelled boxes (.png/.jpg/.webp)')
    .option('-t, --threshold <distance>', THRESHOLD_HELP.replace('faces are different people', 'a face is unknown'))
    .action((photo: string, opts, cmd: Command) => identifyCommand(session(cmd), photo, opts));

  const gallery = program.command('gallery').description('manage a gallery: import a .lkgl file, list who is enrolled');
  gallery
    .command('import')
    .description('copy a .lkgl gallery file (written by earlier versions) into a gallery folder (created if missing); the file is only read')
    .argument('<file>', 'the .lkgl file')
    .requiredOption('-g, --gallery <folder>', GALLERY_HELP)
    .action((file: string, opts, cmd: Command) => galleryImportCommand(session(cmd), file, opts));
  gallery
    .command('list')
    .description('the people in a gallery (folder or .lkgl file) and how many faces each')
    .requiredOption('-g, --gallery <folder>', `${GALLERY_HELP}; or a .lkgl gallery file`)
    .action((opts, cmd: Command) => galleryListCommand(session(cmd), opts));

  program
    .command('stylize')
    .alias('stylise')
    .description('neural style transfer: repaint the content photo in the style of the style image(s); flags as jcjohnson/neural-style')
    .argument('[content]', 'content image (or --content_image)')
    .argument('[style]', 'style image(s), comma-separated (or --style_image)')
    .option('-o, --out <image>', 'output image (.png/.jpg/.webp)')
    .option('--output_image <image>', 'alias of --out')
    .option('--content_image <image>', 'content image')
    .option('--style_image <images>', 'style image(s), comma-separated: a.jpg,b.jpg')
    .option('--style_blend_weights <weights>', 'one weight per style image, comma-separated (default: equal)')
    .option('-s, --image_size <px>', 'longest side of the output (default: 256)')
    .option('--size <px>', 'alias of --image_size')
    .option('-i, --iterations <n>', 'total iterations split over the scales (2:1 for 0.5,1), or one per scale: 60,20 (default: 150,50 with the default scales, else 200)')
    .option('--scales <fractions>', 'coarse-to-fine fractions of the size, ending at 1 (default: 0.5,1)')
    .option('--optimizer <name>', 'adam or lbfgs (default: adam)')
    .option('--learning_rate <lr>', 'step size (default: 0.02 for adam, 1 for lbfgs)')
    .option('--learning_rate_warmup <n>', 'adam: the step grows from lr/n to lr over each scale\'s first n iterations; 0: off (default: 25)')
    .option('--content_weight <w>', 'content weight α (default: the network\'s)')
    .option('--style_weight <w>', 'style weight β (default: the network\'s)')
    .option('--tv_weight <w>', 'total-variation weight (default: 1)')
    .option('--init <how>', 'random, image or mix (default: image)')
    .option('--seed <n>', 'seed of the initial noise (default: 0)')
    .option('--style_scale <f>', 'style image size relative to the output (the style is read at the output size and magnified): larger paints larger strokes (default: the network\'s: 2 for mobilenet_v2, 1 otherwise)')
    .option('--original_colors <0|1>', '1: keep the content image\'s colours (default: 0)')
    .option('--print_iter <n>', 'print the loss every n iterations (default: 0, never)')
    .option('--save_iter <n>', 'write out_<iteration>.png every n iterations (default: 0, never)')
    .option('--model <name>', 'bundled network: mobilenet_v2 or inception_v3 (default: mobilenet_v2)')
    .option('--model_file <model.json>', 'a VGG in tfjs format (model.json + weights) instead of the bundled network')
    .option('--model_type <type>', 'with --model_file: vgg16 or vgg19 (default: vgg19)')
    .option('--model_layout <layout>', 'with --model_file or --weights: keras or torchvision weight names (default: keras)')
    .option('--backbone <name>', 'mobilenet_v2, inception_v3 (bundled), vgg16 or vgg19 (with --weights) (default: mobilenet_v2)')
    .option('--weights <folder>', 'with --backbone vgg16/vgg19: the folder holding the tfjs model.json and weight files (or the model.json)')
    .action((content: string | undefined, style: string | undefined, opts, cmd: Command) => {
      if (opts.output_image !== undefined) {
        if (opts.out !== undefined && opts.out !== opts.output_image) throw new CliError('give the output once: -o/--out or --output_image', EXIT.usage);
        opts.out = opts.output_image;
      }
      if (opts.size !== undefined) {
        if (opts.image_size !== undefined && opts.image_size !== opts.size) throw new CliError('give the size once: --image_size or --size', EXIT.usage);
        opts.image_size = opts.size;
      }
      return stylizeCommand(session(cmd), content, style, opts);
    });

  return program;
}

/**
 * Prints a failure: `likeness: <message>` on stderr and, with `--json`, also
 * `{ "error": { "code", "message" } }` on stdout (one JSON document, as a success prints one).
 */
function report(json: boolean, code: number, message: string, detail?: string): void {
  process.stderr.write(`likeness: ${message}\n${detail ? `${detail}\n` : ''}`);
  if (json) process.stdout.write(JSON.stringify({ error: { code, message } }, null, 2) + '\n');
}

/** Runs the CLI; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = build();
  // Known before parsing, so that a usage error is reported as JSON too.
  const json = argv.slice(0, argv.includes('--') ? argv.indexOf('--') : argv.length).includes('--json');
  installSigint((error) => report(json, error.exitCode, error.message));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with exitCode 0; usage errors were already printed on stderr.
      if (error.exitCode === 0) return EXIT.ok;
      if (json) process.stdout.write(JSON.stringify({ error: { code: EXIT.usage, message: error.message.replace(/^error: /, '') } }, null, 2) + '\n');
      return EXIT.usage;
    }
    if (error instanceof CliError) {
      report(json, error.exitCode, error.message);
      return error.exitCode;
    }
    report(json, EXIT.unexpected, `unexpected error (a bug; please report it): ${error instanceof Error ? error.message : String(error)}`, error instanceof Error ? error.stack : undefined);
    return EXIT.unexpected;
  }
}

// Flush stdout before exiting (the wasm backend keeps worker handles alive).
main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
  process.stdout.write('', () => process.exit(code));
});
