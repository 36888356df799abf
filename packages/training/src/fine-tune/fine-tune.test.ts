import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@likeness/backends';
import { FaceResNet } from '@likeness/embeddings';
import { createVerificationHead, siameseObjective } from '@likeness/siamese-binary';
import { tripletObjective } from '@likeness/triplet';
import { fineTune } from './fine-tune';
import { pseudoFaces } from '../testing/pseudo-faces';
import { startedHead } from '../testing/fine-tune-helpers';
import { withPretrainedFaceResNet } from '../../test/with-pretrained-face-resnet';
import { memoryCheckpointStore } from '../trainer/checkpoint';

// fineTune checks the objective and the selection rule before any work; the one fine-tune loop's
// behaviour is tested through it in triplet-fine-tuning*.test.ts and ../siamese/siamese-fine-tuning*.test.ts.
let net: FaceResNet;
let train: ReturnType<typeof pseudoFaces>, val: ReturnType<typeof pseudoFaces>;
withPretrainedFaceResNet((n) => { net = n; train = pseudoFaces(4, 3, 0); val = pseudoFaces(2, 3, 10); return [train, val]; });

const fresh = () => FaceResNet.fromPretrained(net, { trainableStages: 1 });
describe('fineTune', () => {
  it('throws typed errors naming the option before any work: objective, select, options the fine-tuners do not use', async () => {
    const ft = fresh();
    const bad = (options: unknown, argument: string) => expect(fineTune(ft, train, options as never)).rejects.toSatisfy((e) => InvalidArgumentError.isInstance(e) && (e as InvalidArgumentError).argument === argument);
    await bad({ select: { validation: val } }, 'options.objective');
    await bad({ objective: { kind: 'arcface' }, select: { validation: val } }, 'options.objective');
    await bad({ objective: tripletObjective() }, 'options.select');
    await bad({ objective: tripletObjective(), select: {} }, 'options.select');
    await bad({ objective: tripletObjective(), select: { validation: val, crossValidate: {} } }, 'options.select');
    await bad({ objective: tripletObjective({ classification: true }), select: { validation: val } }, 'options.objective.classification');
    await bad({ objective: tripletObjective({ reduction: 'sum' }), select: { validation: val } }, 'options.objective.reduction');
    await expect(fineTune(ft, train, null as never)).rejects.toSatisfy((e) => InvalidArgumentError.isInstance(e));
    const head = createVerificationHead({ embeddingSize: 128 });
    await bad({ objective: siameseObjective(head), select: 'validation' }, 'options.select');
    await bad({ objective: tripletObjective({ strategy: 'batch-all' }), select: { validation: val } }, 'options.objective.strategy');
    for (const lr of [0, -1e-4, Number.NaN, Infinity, '1e-4']) await bad({ objective: tripletObjective(), select: { validation: val }, headLearningRate: lr }, 'options.headLearningRate');
    for (const lr of [-1e-5, Number.NaN]) await bad({ objective: tripletObjective(), select: { validation: val }, backboneLearningRate: lr }, 'options.backboneLearningRate');
    const started = startedHead();
    await bad({ objective: siameseObjective(started), select: { validation: val }, checkpoint: { store: memoryCheckpointStore() } }, 'options.checkpoint');
    await bad({ objective: siameseObjective(started), select: { validation: val }, validationFlip: true }, 'options.validationFlip');
    started.dispose();
    head.dispose();
    ft.dispose();
  });
});
