import { describeValue, InvalidArgumentError } from '@likeness/backends';
import { objectiveKind } from '../internal/objective-kind';
import type { FaceResNet } from '@likeness/embeddings';
import type { SiameseObjective } from '@likeness/siamese-binary';
import type { TripletObjective } from '@likeness/triplet';
import {
  fineTuneCrossValidated, fineTuneOnValidation,
  type CrossValidatedFineTuneOptions, type CrossValidatedFineTuneResult, type FineTuneResult, type TripletValidationOptions, type ValidationFineTuneOptions,
} from './fine-tune-loop';
import { checkFineTunableNet, type LabelledFaces } from './labelled-faces';
import { tripletFineTuning, type TripletFineTuneLearningRates } from './triplet-fine-tuning';
import { siameseFineTuning, type SiameseCrossValidationOptions, type SiameseFineTuneLearningRates } from '../siamese/siamese-fine-tuning';

/**
 * How `fineTune` chooses the epoch it keeps: by the EER on validation
 * people held back from training (`{ validation }`, with early stopping), or
 * by k-fold cross-validation over the training people themselves
 * (`{ crossValidate: { folds, targetFar } }`, then a final fit on all of
 * them for the chosen number of epochs).
 */
export type FineTuneSelection =
  | {
    /** Validation faces of people NOT in the training set: scored every epoch; the best epoch is kept. */
    validation: LabelledFaces;
  }
  | {
    /** k-fold cross-validation over the training people, then a final fit on all of them. */
    crossValidate: CrossValidateSelection;
  };

/** `select` of k-fold cross-validation over the training people. */
export interface CrossValidateSelection {
  /** Folds of people. @defaultValue `5` */
  folds?: number;
  /** FAR at which the TAR tie-breaker is read. @defaultValue `1e-3` */
  targetFar?: number;
}

/** `fineTune` with a triplet objective, the kept epoch chosen on validation people. */
export interface TripletFineTuneOptions extends ValidationFineTuneOptions, TripletValidationOptions, TripletFineTuneLearningRates {
  /** `tripletObjective({ strategy: 'batch-hard' | 'semi-hard', margin, metric, p, k })` (defaults here: batch-hard, margin 0.1 on L2, P = 8 × K = 4). */
  objective: TripletObjective;
  /** The kept epoch chosen on validation people. */
  select: {
    /** Validation faces of people NOT in the training set: scored every epoch; the best epoch is kept. */
    validation: LabelledFaces;
  };
}
/** `fineTune` with a triplet objective, the kept epoch chosen by cross-validation over the training people. */
export interface TripletCrossValidatedFineTuneOptions extends CrossValidatedFineTuneOptions, TripletFineTuneLearningRates {
  /** `tripletObjective({ strategy: 'batch-hard' | 'semi-hard', margin, metric, p, k })` (defaults here: batch-hard, margin 0.1 on L2, P = 8 × K = 4). */
  objective: TripletObjective;
  /** The kept epoch chosen by cross-validation. */
  select: {
    /** k-fold cross-validation over the training people, then a final fit on all of them. */
    crossValidate: CrossValidateSelection;
  };
}
/** `fineTune` with a siamese objective (the head trained with the net), the kept epoch chosen on validation people. */
export interface SiameseFineTuneOptions extends ValidationFineTuneOptions, SiameseFineTuneLearningRates {
  /** `siameseObjective(head, { batchSize, positiveFraction })`: start from a head trained on the frozen embeddings (`trainHead`). */
  objective: SiameseObjective;
  /** The kept epoch chosen on validation people. */
  select: {
    /** Validation faces of people NOT in the training set: scored every epoch; the best epoch is kept. */
    validation: LabelledFaces;
  };
}
/** `fineTune` with a siamese objective, the kept epoch chosen by cross-validation over the training people (the head refitted per fold). */
export interface SiameseCrossValidatedFineTuneOptions extends CrossValidatedFineTuneOptions, SiameseFineTuneLearningRates, SiameseCrossValidationOptions {
  /** `siameseObjective(head, { batchSize, positiveFraction })`. */
  objective: SiameseObjective;
  /** The kept epoch chosen by cross-validation. */
  select: {
    /** k-fold cross-validation over the training people, then a final fit on all of them. */
    crossValidate: CrossValidateSelection;
  };
}
/** Options of {@link fineTune}: an objective, a selection rule and the training options they share. */
export type FineTuneOptions = TripletFineTuneOptions | TripletCrossValidatedFineTuneOptions | SiameseFineTuneOptions | SiameseCrossValidatedFineTuneOptions;

/**
 * Fine-tunes the pretrained face ResNet (a `FaceResNet`: the last
 * stages unfrozen, the frozen ones run once over cached augmented copies)
 * with an objective — `tripletObjective({ strategy, margin, metric, p, k })`
 * of `@likeness/triplet` (batch-hard or semi-hard mining) or
 * `siameseObjective(head, { batchSize, positiveFraction })` of
 * `@likeness/siamese-binary` (the head learns with the net) — keeping the
 * epoch chosen by `select`: `{ validation }` (validation EER every epoch,
 * keep-best with a bootstrap guard, early stopping, checkpoints for the
 * triplet objective) or `{ crossValidate: { folds } }` (k-fold
 * cross-validation over the training people, then a final fit on all of
 * them; e* = 0 leaves the net bit-identical). The other options are the
 * training's: `epochs`, `stepsPerEpoch`, `augmentations`, `augment`, the
 * learning rates, `keepBest`, `seed`, `onEpoch`, …. Same options and seed,
 * same weights. Inputs are not disposed.
 *
 * @example
 * ```ts
 * const ft = FaceResNet.fromPretrained(await loadFaceResNetFromFaceApi(), { trainableStages: 3 });
 * const r = await fineTune(ft, { images, labels }, {                 // images [N,150,150,3] in [0,1]
 *   objective: tripletObjective({ strategy: 'semi-hard' }),
 *   select: { crossValidate: { folds: 5 } }, epochs: 5,
 * });                                                               // r.chosenEpoch, r.pooled[e].eer
 * ```
 */
export function fineTune(net: FaceResNet, train: LabelledFaces, options: TripletFineTuneOptions): Promise<FineTuneResult>;
export function fineTune(net: FaceResNet, train: LabelledFaces, options: TripletCrossValidatedFineTuneOptions): Promise<CrossValidatedFineTuneResult>;
export function fineTune(net: FaceResNet, train: LabelledFaces, options: SiameseFineTuneOptions): Promise<FineTuneResult>;
export function fineTune(net: FaceResNet, train: LabelledFaces, options: SiameseCrossValidatedFineTuneOptions): Promise<CrossValidatedFineTuneResult>;
export async function fineTune(net: FaceResNet, train: LabelledFaces, options: FineTuneOptions): Promise<FineTuneResult | CrossValidatedFineTuneResult> {
  const fn = 'fineTune';
  if (options == null || typeof options !== 'object') {
    throw new InvalidArgumentError({ fn, argument: 'options', message: 'expected { objective, select, … }: an objective (tripletObjective or siameseObjective) and a selection rule ({ validation } or { crossValidate }).' });
  }
  const { objective, select, ...rest } = options as FineTuneOptions & Record<string, unknown>;
  const kind = objectiveKind(fn, objective);
  const sel = selection(fn, select);
  checkFineTunableNet(fn, net);
  const runner = kind === 'triplet'
    ? tripletFineTuning(net, objective as TripletObjective, rest, fn)
    : siameseFineTuning(net, objective as SiameseObjective, rest, fn);
  if (sel.validation) return fineTuneOnValidation(net, train, sel.validation, runner, rest as ValidationFineTuneOptions & TripletValidationOptions);
  return fineTuneCrossValidated(net, train, runner, { ...(rest as CrossValidatedFineTuneOptions), ...sel.crossValidate });
}

function selection(fn: string, select: unknown): { validation?: LabelledFaces; crossValidate?: { folds?: number; targetFar?: number } } {
  if (select != null && typeof select === 'object') {
    const s = select as { validation?: LabelledFaces; crossValidate?: { folds?: number; targetFar?: number } };
    if ((s.validation !== undefined) !== (s.crossValidate !== undefined)) {
      if (s.validation !== undefined) return { validation: s.validation };
      if (s.crossValidate != null && typeof s.crossValidate === 'object') return { crossValidate: s.crossValidate };
    }
  }
  throw new InvalidArgumentError({ fn, argument: 'options.select', message: `expected { validation: { images, labels } } or { crossValidate: { folds? } } (exactly one), got ${describeValue(select)}.` });
}
