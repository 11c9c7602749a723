// Text generation on a pluggable logits function: greedy (temperature 0) or seeded nucleus (top-p)
// sampling. The same seed, prompt and logits give the same tokens (src/core/rng.ts).

import { Rng } from '../core/rng';
import type { ForwardLogits } from '../model/forward';

/** Logits [V] for the token after `ids`. */
/** Sampling settings or a prompt that generate() cannot use; the message names the setting to change. */
export class GenerationSettingsError extends Error {
  override name = 'GenerationSettingsError';
  constructor(message: string) {
    super(message);
  }
}

export type NextTokenLogits = (ids: Int32Array) => Float32Array | Promise<Float32Array>;

export interface GenerateOptions {
  maxNewTokens: number;
  /** 0 = greedy (argmax). */
  temperature?: number;
  /** Nucleus mass in (0, 1]; 1 = sample from the full distribution. */
  topP?: number;
  seed?: number;
  /** Stop after producing this id (included in the output). */
  eosId?: number;
  /** Keep only the last contextLength ids as model input (the model's maxSeqLen). */
  contextLength?: number;
}

/** Adapt a full forward (ids → [T, V]) to next-token logits: the last row. */
export function lastRow(forward: ForwardLogits, vocabSize: number): NextTokenLogits {
  return async (ids) => {
    const logits = await forward(ids);
    return logits.subarray((ids.length - 1) * vocabSize, ids.length * vocabSize);
  };
}

export function argmax(x: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
  return best;
}

/** Sample from softmax(logits / temperature) restricted to the smallest top set with mass ≥ topP. */
export function sampleTopP(logits: ArrayLike<number>, temperature: number, topP: number, rng: Rng): number {
  const V = logits.length;
  let mx = -Infinity;
  for (let i = 0; i < V; i++) if (logits[i] > mx) mx = logits[i];
  const p = new Float64Array(V);
  let z = 0;
  for (let i = 0; i < V; i++) z += p[i] = Math.exp((logits[i] - mx) / temperature);
  const order = Array.from({ length: V }, (_, i) => i).sort((a, b) => p[b] - p[a] || a - b);
  let keep = 0;
  let mass = 0;
  while (keep < V && (keep === 0 || mass < topP * z)) mass += p[order[keep++]];
  let r = rng.next() * mass;
  for (let k = 0; k < keep; k++) {
    r -= p[order[k]];
    if (r < 0) return order[k];
  }
  return order[keep - 1];
}

export async function generate(next: NextTokenLogits, prompt: readonly number[], opts: GenerateOptions): Promise<number[]> {
  const temperature = opts.temperature ?? 0;
  const topP = opts.topP ?? 1;
  if (!(temperature >= 0)) throw new GenerationSettingsError(`generate: temperature must be >= 0 (0 = greedy), got ${temperature}`);
  if (!(topP > 0 && topP <= 1)) throw new GenerationSettingsError(`generate: topP must be in (0, 1] (1 = no nucleus cut), got ${topP}`);
  if (prompt.length === 0) throw new GenerationSettingsError('generate: the prompt must contain at least one token (e.g. BOS)');
  const rng = new Rng(opts.seed ?? 0);
  const ids = [...prompt];
  const out: number[] = [];
  for (let i = 0; i < opts.maxNewTokens; i++) {
    const ctx = opts.contextLength ? ids.slice(-opts.contextLength) : ids;
    const logits = await next(Int32Array.from(ctx));
    const tok = temperature === 0 ? argmax(logits) : sampleTopP(logits, temperature, topP, rng);
    ids.push(tok);
    out.push(tok);
    if (tok === opts.eosId) break;
  }
  return out;
}
