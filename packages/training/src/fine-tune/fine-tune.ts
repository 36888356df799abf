import { describeValue, InvalidArgumentError } from '@likeness/backends';
import { objectiveKind } from '../internal/objective-kind';
import type { FaceResNet } from '@likeness/embeddings';
import type { SiameseObjective } from '@likeness/siamese-binary';
import type { TripletObjective } from '@likeness/triplet';
import { fineTuneFaceResNet, type FineTuneFaceResNetOptions, type FineTuneResult, type LabelledFaces } from './fine-tune-face-resnet';
import { fineTuneFaceResNetCrossValidated, type CrossValidatedFineTuneOptions, type CrossValidatedFineTuneResult } from './fine-tune-face-resnet-cross-validated';
import { fineTuneFaceResNetSiamese, type FineTuneSiameseOptions, type SiameseFineTuneResult } from '../siamese/fine-tune-face-resnet-siamese';
import { fineTuneFaceResNetSiameseCrossValidated, type CrossValidatedSiameseOptions, type CrossValidatedSiameseResult } from '../siamese/fine-tune-face-resnet-siamese-cross-validated';

/**
 * How `fineTune` chooses the epoch it keeps: by the EER on validation
 * people held back from training (`{ validation }`, with early stopping), or
 * by k-fold cross-validation over the training people themselves
 * (`{ crossValidate: { folds, targetFar } }`, then a final fit on all of
 * them for the chosen number of epochs).
 */
export type FineTuneSelection =
  | { validation: LabelledFaces }
  | { crossValidate: { /** Folds of people. @defaultValue `5` */ folds?: number; /** FAR of the TAR tie-breaker. @defaultValue `1e-3` */ targetFar?: number } };

type TripletFields = 'strategy' | 'margin' | 'metric' | 'p' | 'k';
type SiameseFields = 'batchSize' | 'positiveFraction';
type CrossValidateFields = 'folds' | 'targetFar';

/** `fineTune` with a triplet objective, the kept epoch chosen on validation people. */
export type TripletFineTuneOptions = { objective: TripletObjective; select: { validation: LabelledFaces } } & Omit<FineTuneFaceResNetOptions, 'validation' | TripletFields>;
/** `fineTune` with a triplet objective, the kept epoch chosen by cross-validation over the training people. */
export type TripletCrossValidatedFineTuneOptions = { objective: TripletObjective; select: { crossValidate: { folds?: number; targetFar?: number } } } & Omit<CrossValidatedFineTuneOptions, TripletFields | CrossValidateFields>;
/** `fineTune` with a siamese objective (the head trained with the net), the kept epoch chosen on validation people. */
export type SiameseFineTuneOptions = { objective: SiameseObjective; select: { validation: LabelledFaces } } & Omit<FineTuneSiameseOptions, 'validation' | SiameseFields>;
/** `fineTune` with a siamese objective, the kept epoch chosen by cross-validation over the training people (the head refitted per fold). */
export type SiameseCrossValidatedFineTuneOptions = { objective: SiameseObjective; select: { crossValidate: { folds?: number; targetFar?: number } } } & Omit<CrossValidatedSiameseOptions, SiameseFields | CrossValidateFields>;
/** Options of {@link fineTune}: an objective, a selection rule and the training options they share. */
export type FineTuneOptions = TripletFineTuneOptions | TripletCrossValidatedFineTuneOptions | SiameseFineTuneOptions | SiameseCrossValidatedFineTuneOptions;

const NOT_FOR_FINE_TUNING = ['reduction', 'fallback', 'classification'] as const;

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
export function fineTune(net: FaceResNet, train: LabelledFaces, options: SiameseFineTuneOptions): Promise<SiameseFineTuneResult>;
export function fineTune(net: FaceResNet, train: LabelledFaces, options: SiameseCrossValidatedFineTuneOptions): Promise<CrossValidatedSiameseResult>;
export async function fineTune(net: FaceResNet, train: LabelledFaces, options: FineTuneOptions): Promise<FineTuneResult | CrossValidatedFineTuneResult | SiameseFineTuneResult | CrossValidatedSiameseResult> {
  const fn = 'fineTune';
  if (options == null || typeof options !== 'object') {
    throw new InvalidArgumentError({ fn, argument: 'options', message: 'expected { objective, select, … }: an objective (tripletObjective or siameseObjective) and a selection rule ({ validation } or { crossValidate }).' });
  }
  const { objective, select, ...rest } = options as FineTuneOptions & Record<string, unknown>;
  const kind = objectiveKind(fn, objective);
  const sel = selection(fn, select);
  if (kind === 'triplet') {
    const { kind: _, ...fields } = objective as TripletObjective;
    for (const key of NOT_FOR_FINE_TUNING) {
      if (fields[key] !== undefined) throw new InvalidArgumentError({ fn, argument: `options.objective.${key}`, message: `fineTune does not use ${key}; leave it out (train uses it).` });
    }
    if (sel.validation) return fineTuneFaceResNet(net, train, { ...(rest as object), ...fields, validation: sel.validation } as FineTuneFaceResNetOptions);
    return fineTuneFaceResNetCrossValidated(net, train, { ...(rest as object), ...sel.crossValidate, ...fields } as CrossValidatedFineTuneOptions);
  }
  const { kind: _, head, ...fields } = objective as SiameseObjective;
  if (sel.validation) return fineTuneFaceResNetSiamese(net, head, train, { ...(rest as object), ...fields, validation: sel.validation } as FineTuneSiameseOptions);
  return fineTuneFaceResNetSiameseCrossValidated(net, head, train, { ...(rest as object), ...sel.crossValidate, ...fields } as CrossValidatedSiameseOptions);
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
