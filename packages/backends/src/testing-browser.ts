/**
 * @likeness/backends/testing/browser — runs a page (e.g. the conformance kit
 * on a plugin backend) in headless Chromium from Node. Needs the optional
 * peers `esbuild` and `playwright-core` and a Chromium binary.
 *
 * @module @likeness/backends/testing/browser
 */

// Running pages
export { runPageInChromium } from './testing/browser/run-page-in-chromium';
export type { RunPageOptions } from './testing/browser/run-page-in-chromium';

// Chromium
export { chromiumPath, CHROMIUM_ARGS } from './testing/browser/chromium-path';
