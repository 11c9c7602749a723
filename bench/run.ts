// `npm run bench`: every benchmark section in one run on one adapter, so ratios are comparable.
// Usage: npm run bench [-- --reps N --only matmul,peers,block,besa,generate,scale --gen-tokens N --peer-max 1024]
import { adapterLabel } from '../src/gpu/capabilities';
import { acquireNodeDevice } from '../src/gpu/node';
import { GpuRuntime } from '../src/gpu/runtime';
import { existsSync } from 'node:fs';
import { benchBesa } from './besa';
import { benchBlock } from './block';
import { benchGenerate } from './generate';
import { benchMatmul } from './matmul';
import { benchPeers } from './peers';
import { benchScale } from './scale';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

async function main(): Promise<void> {
  const reps = Number(arg('reps', '3'));
  const only = arg('only', '').split(',').filter(Boolean);
  const want = (s: string) => only.length === 0 || only.includes(s);
  const rt = new GpuRuntime(await acquireNodeDevice({ adapter: process.env.BESA_ADAPTER }));
  console.log(`# BESA Studio benchmarks\n\nadapter: ${adapterLabel(rt.caps)}; reps: ${reps}; node ${process.version}`);
  const modelDir = arg(
    'model',
    existsSync('public/models/sotu-llama-3m/config.json') ? 'public/models/sotu-llama-3m' : 'public/models/micro',
  );
  const T = Number(arg('seqlen', '256'));
  // the block section reports its rate as a fraction of the tiled matmul's, so it needs one matmul pass
  const mm = want('matmul') || want('block') ? await benchMatmul(rt, want('matmul') ? reps : 1) : null;
  if (want('peers')) await benchPeers(rt, reps, Number(arg('peer-max', 'Infinity')));
  if (want('block') && mm) await benchBlock(rt, modelDir, T, reps, mm.tiledGflopsSmall);
  if (want('besa')) await benchBesa(rt, modelDir, T, Number(arg('besa-steps', '4')), Number(arg('samples', '64')));
  if (want('generate')) await benchGenerate(rt, modelDir, Number(arg('gen-tokens', '32')));
  if (want('scale')) await benchScale(Number(arg('scale-samples', '4')), Number(arg('scale-seqlen', '128')));
  rt.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
