// The README's demo: face-api's sample photos → faces found, embedded and
// grouped across photos, a distance/ROC plot, one photo stylised. Offline.
// The demo itself is the Node sample app's (apps/node/src/demo.ts); `pnpm demo`
// builds everything first. Usage: node scripts/demo.mjs [output-folder]
await import('../apps/node/dist/demo.js');
