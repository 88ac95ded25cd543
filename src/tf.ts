/**
 * The one place the engine imports TF.js from (with eagerGradients.ts, which this file installs on
 * the engine), so every module shares one engine instance and tests can swap backends in one spot. The umbrella package brings core, layers, cpu and webgl.
 * The WebGPU backend's types come through here too (type-only: importing that package for real
 * registers the backend, which only src/backend does).
 */
import * as tf from '@tensorflow/tfjs';
import { installEagerGradients } from './eagerGradients.ts';

export { tf };
export type { Scalar, Tensor, Tensor1D, Tensor2D, Tensor4D, Variable, LayersModel } from '@tensorflow/tfjs';
export type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';

// The backward pass frees each gradient and saved tensor once it is done with them (eagerGradients.ts).
installEagerGradients();
