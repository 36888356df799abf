import { version_cpu } from '@tensorflow/tfjs-backend-cpu';
import type { LikenessBackendV1 } from '../spec/backend-v1';

/** The plain-JavaScript backend: runs everywhere, slowest, the numeric reference. */
export const cpuBackend: LikenessBackendV1 = {
  specificationVersion: 'v1',
  name: 'cpu',
  coreVersion: version_cpu,
  isSupported: () => true,
  // Importing @tensorflow/tfjs-backend-cpu (in ../cpu.ts) registered it.
  doRegister: () => undefined,
};
