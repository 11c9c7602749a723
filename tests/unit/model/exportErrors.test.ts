// Export writers reject models and tensors they cannot write with ModelExportError, whose message
// says what to do instead (issue #18: user-facing errors are named classes).
import { describe, expect, it } from 'vitest';
import { specToConfig } from '../../../src/model/config';
import { ModelExportError } from '../../../src/model/errors';
import { weightsToHf } from '../../../src/model/hfweights';
import { writeLlama2c } from '../../../src/model/llama2c';
import { writeSafetensors } from '../../../src/model/safetensors';
import { randomWeights, tinyModelSpec as tinySpec } from '../../support/specs';

describe('ModelExportError', () => {
  it('llama2.c cannot hold q/k/v biases or head_dim != dim / n_heads: export as a Hugging Face folder', () => {
    const biased = tinySpec({ ropeLayout: 'interleaved', qkvBias: true });
    expect(() => writeLlama2c(biased, randomWeights(biased, 1))).toThrow(ModelExportError);
    expect(() => writeLlama2c(biased, randomWeights(biased, 1))).toThrow(/no q\/k\/v biases; export this model as a Hugging Face folder/);
    const wide = tinySpec({ ropeLayout: 'interleaved', headDim: 8 });
    expect(() => writeLlama2c(wide, randomWeights(wide, 1))).toThrow(/head_dim = dim \/ n_heads \(8·4 != 24\)/);
  });

  it('HF writers need the rotate-half layout and name the conversion', () => {
    const spec = tinySpec({ ropeLayout: 'interleaved' });
    expect(() => specToConfig(spec)).toThrow(ModelExportError);
    expect(() => weightsToHf(spec, randomWeights(spec, 1))).toThrow(/convertRopeLayout\(spec, weights, 'half'\)/);
  });

  it('safetensors: data length must match the shape', () => {
    expect(() => writeSafetensors({ w: { shape: [2, 2], data: new Float32Array(3) } })).toThrow(ModelExportError);
  });
});
