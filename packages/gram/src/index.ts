/**
 * @likeness/gram — Gram matrices and the costs of neural style transfer.
 * Every function is synchronous, tidy and differentiable; none imports a backend.
 *
 * @module @likeness/gram
 */

// Gram matrix
export { gramMatrix } from './gram-matrix';
export type { GramMatrixOptions } from './gram-matrix';

// Content cost
export { contentCost } from './content-cost';
export type { ContentCostOptions } from './content-cost';

// Style cost
export { styleTarget, styleTargetCost, styleLayerCost, styleCost } from './style-cost';
export type { StyleCostOptions, StyleLayerTerm } from './style-cost';

// Regularisers
export { totalVariation } from './total-variation';
export type { TotalVariationOptions } from './total-variation';

// Errors (re-exported from @likeness/backends)
export { LikenessError, InvalidArgumentError, ShapeError } from '@likeness/backends';
