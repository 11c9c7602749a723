// The Model panel's facts, measured from the loaded weights (nothing is copied from the README).
import type { LoadedModel } from '../model/loader';
import { blockLinearNames, linearOf } from '../model/spec';
import { bytesOf, countZeros } from '../model/weightArray';
import { countParams } from '../prune/report';
import type { ModelCard } from './protocol';

export function modelCard(m: LoadedModel, readme: string | null): ModelCard {
  let linearParams = 0;
  let zeros = 0;
  let storedLinearBytes = 0;
  let largest = m.weights.embed.length; // elements; the GPU holds every tensor in f32 (×4 below)
  for (const b of m.weights.blocks)
    for (const n of blockLinearNames(b)) {
      const w = linearOf(b, n).w;
      linearParams += w.length;
      largest = Math.max(largest, w.length);
      zeros += countZeros(w);
      storedLinearBytes += bytesOf(w);
    }
  return {
    name: m.name,
    format: m.format,
    spec: m.spec,
    params: countParams(m.spec, m.weights),
    linearParams,
    linearSparsity: linearParams ? zeros / linearParams : 0,
    weightsSha256: m.weightsSha256,
    weightFiles: m.weightFiles,
    readme,
    largestTensorBytes: largest * 4,
    storedBytes: storedLinearBytes + bytesOf(m.weights.embed) + (m.weights.lmHead === m.weights.embed ? 0 : bytesOf(m.weights.lmHead)),
    storedLinearBytes,
  };
}
