// The prune CLI end to end on the micro model (CPU executor): the written safetensors loads back with
// the zeros in place and the original tensor names, tokenizer copied, report files written; Ctrl-C
// keeps finished blocks and --resume reproduces the uninterrupted run; bad arguments are named errors.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../../src/model/loader';
import { parseSafetensors } from '../../../src/model/safetensors';
import { nodeDirSource } from '../../../src/model/sourceNode';
import { linearOf, weightsToF32, LINEAR_NAMES } from '../../../src/model/spec';
import { CpuBlockExecutor } from '../../../src/prune/executor';
import { runPipeline } from '../../../src/prune/pipeline';
import { parseArgs, RUN_FLAGS, runConfigFromArgs } from '../../../src/cli/args';
import { tokenizeCorpus } from '../../../src/data/windows';
import { calibIds, dataText, loadMicro, microConfig, MICRO_DIR, ROOT } from './engineFixture';

const tmp = mkdtempSync(join(tmpdir(), 'besa-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
// Short copies of the datasets keep tokenisation out of the test time (--data-dir).
const DATA = join(tmp, 'data');
mkdirSync(DATA);
writeFileSync(join(DATA, 'sotu-calib.txt'), dataText('sotu-calib.txt'));
writeFileSync(join(DATA, 'sotu-eval.txt'), dataText('sotu-eval.txt', 8000));

function cli(
  args: string[],
  onStderr?: (text: string, kill: (signal?: NodeJS.Signals) => void) => void,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // node itself runs the CLI (tsx as a loader, not as a wrapper process), so a signal reaches the CLI's process
    const p = spawn(process.execPath, ['--import', 'tsx', 'src/cli/prune.ts', '--data-dir', DATA, ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => {
      stderr += d;
      onStderr?.(stderr, (signal = 'SIGINT') => p.kill(signal));
    });
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Header bytes the run metadata adds to <dir>/model.safetensors (report.storage counts the file without it). */
function metadataBytes(dir: string): number {
  const b = readFileSync(join(dir, 'model.safetensors'));
  const n = b.readUInt32LE(0);
  const header = JSON.parse(b.subarray(8, 8 + n).toString('utf8')) as Record<string, unknown>;
  const bare = Buffer.byteLength(JSON.stringify({ ...header, __metadata__: { format: 'pt' } }));
  return n - (Math.ceil((8 + bare) / 8) * 8 - 8);
}

describe('npm run prune (CLI)', () => {
  it('writes a pruned HF folder that loadModel reads back with the zeros in place', async () => {
    const out = join(tmp, 'wanda');
    const r = await cli([
      '--model',
      MICRO_DIR,
      '--method',
      'wanda',
      '--sparsity',
      '0.5',
      '--samples',
      '4',
      '--seqlen',
      '32',
      '--eval',
      'sotu-eval',
      '--eval-windows',
      '2',
      '--cpu',
      '--out',
      out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/achieved sparsity over all pruned linears: 0\.5000/);
    const dense = await loadMicro();
    const pruned = await loadModel(nodeDirSource(out));
    weightsToF32(pruned.weights).blocks.forEach((b, i) =>
      LINEAR_NAMES.forEach((n) => {
        const w = linearOf(b, n).w;
        const d = linearOf(dense.weights.blocks[i], n).w;
        for (let j = 0; j < w.length; j++) if (w[j] !== 0) expect(w[j]).toBe(d[j]); // W ⊙ M, nothing else changed
        for (let row = 0; row < linearOf(b, n).out; row++)
          expect(w.subarray(row * linearOf(b, n).in, (row + 1) * linearOf(b, n).in).filter((v) => v === 0).length).toBe(
            Math.floor(linearOf(b, n).in / 2),
          );
      }),
    );
    expect(weightsToF32(pruned.weights).embed).toEqual(dense.weights.embed);
    const names = (dir: string) =>
      parseSafetensors(new Uint8Array(readFileSync(join(dir, 'model.safetensors'))))
        .names()
        .sort();
    expect(names(out)).toEqual(names(MICRO_DIR));
    expect(readFileSync(join(out, 'tokenizer.json'))).toEqual(readFileSync(join(MICRO_DIR, 'tokenizer.json')));
    const rep = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(rep).toMatchObject({ status: 'completed', achievedSparsity: 0.5, method: { name: 'wanda' }, data: { nsamples: 4, seqlen: 32 } });
    expect(rep.perplexity.pruned[0]).toMatchObject({ dataset: 'sotu-eval', windows: 2, seqlen: 32 });
    expect(readFileSync(join(out, 'report.csv'), 'utf8').trim().split('\n').length).toBe(15);
    expect(existsSync(join(out, 'checkpoint'))).toBe(false); // removed after a completed run

    // the same run written as compressed-tensors sparse-bitmask: smaller linears, the same weights read back
    const sparseOut = join(tmp, 'wanda-sparse');
    const s = await cli([
      '--model',
      MICRO_DIR,
      '--method',
      'wanda',
      '--samples',
      '4',
      '--seqlen',
      '32',
      '--eval',
      'none',
      '--cpu',
      '--export-format',
      'sparse-bitmask',
      '--out',
      sparseOut,
    ]);
    expect(s.code, s.stderr).toBe(0);
    expect(s.stdout).toMatch(/model\.safetensors: \d+ bytes \(sparse-bitmask\)/);
    const rep2 = JSON.parse(readFileSync(join(sparseOut, 'report.json'), 'utf8'));
    expect(rep2.storage['sparse-bitmask']).toBe(statSync(join(sparseOut, 'model.safetensors')).size - metadataBytes(sparseOut));
    expect(rep2.storage['sparse-24-bitmask']).toBeNull(); // unstructured Wanda is not 2:4
    expect(s.stdout).toMatch(/stored bytes: dense [\d.]+ MiB, sparse-bitmask [\d.]+ MiB \(0\.\d\d×\), sparse-24-bitmask not 2:4 sparse/);
    const back = await loadModel(nodeDirSource(sparseOut));
    weightsToF32(back.weights).blocks.forEach((b, i) =>
      LINEAR_NAMES.forEach((n) => expect(linearOf(b, n).w).toEqual(linearOf(weightsToF32(pruned.weights).blocks[i], n).w)),
    );
    expect(JSON.parse(readFileSync(join(sparseOut, 'config.json'), 'utf8')).quantization_config.sparsity_config.format).toBe(
      'sparse-bitmask',
    );

    // a 2:4 run written as sparse-24-bitmask: the 2:4 config block, the same weights read back
    const out24 = join(tmp, 'wanda-24');
    const common24 = ['--model', MICRO_DIR, '--method', 'wanda', '--samples', '4', '--seqlen', '32', '--eval', 'none', '--cpu'];
    const t = await cli([...common24, '--nm', '2:4', '--export-format', 'sparse-24-bitmask', '--out', out24]);
    expect(t.code, t.stderr).toBe(0);
    expect(t.stdout).toMatch(/sparse-24-bitmask [\d.]+ MiB \(0\.\d\d×\)/);
    const cfg24 = JSON.parse(readFileSync(join(out24, 'config.json'), 'utf8')).quantization_config.sparsity_config;
    expect(cfg24).toMatchObject({ format: 'sparse-24-bitmask', sparsity_structure: '2:4' });
    const rep24 = JSON.parse(readFileSync(join(out24, 'report.json'), 'utf8'));
    expect(rep24.storage['sparse-24-bitmask']).toBe(statSync(join(out24, 'model.safetensors')).size - metadataBytes(out24));
    expect(rep24.storage['sparse-24-bitmask']).toBeLessThan(rep24.storage['sparse-bitmask']);
    const back24 = await loadModel(nodeDirSource(out24));
    for (const b of weightsToF32(back24.weights).blocks)
      for (const n of LINEAR_NAMES)
        for (let g = 0; g < linearOf(b, n).w.length; g += 4)
          expect(
            linearOf(b, n)
              .w.subarray(g, g + 4)
              .filter((v) => v !== 0).length,
          ).toBeLessThanOrEqual(2);
    // asked of a run that is not 2:4: refused before any work
    const no24 = await cli([...common24, '--export-format', 'sparse-24-bitmask', '--out', join(tmp, 'no24')]);
    expect(no24.code).toBe(2);
    expect(no24.stderr).toMatch(/CliArgumentError: --export-format sparse-24-bitmask .* needs --nm 2:4 \(this run is unstructured\)/);
  });

  it('--calib-ids / --eval-ids (.npy and .json) prune a model without its tokenizer exactly like the same text does', async () => {
    const m = await loadMicro();
    const common = ['--method', 'wanda', '--samples', '4', '--seqlen', '32', '--eval-windows', '2', '--cpu'];
    const viaText = join(tmp, 'ids-text');
    const t = await cli(['--model', MICRO_DIR, ...common, '--eval', 'sotu-eval', '--out', viaText]);
    expect(t.code, t.stderr).toBe(0);
    // The same texts as token ids: calibration as a .npy int32 array, evaluation as a JSON list.
    const calib = Int32Array.from(tokenizeCorpus(m.tokenizer, readFileSync(join(DATA, 'sotu-calib.txt'), 'utf8')));
    const evalIds = Array.from(tokenizeCorpus(m.tokenizer, readFileSync(join(DATA, 'sotu-eval.txt'), 'utf8')));
    const header = "{'descr': '<i4', 'fortran_order': False, 'shape': (" + calib.length + ',), }';
    const pad = 64 - ((10 + header.length + 1) % 64);
    const hdr = new TextEncoder().encode(header + ' '.repeat(pad) + '\n');
    const npy = new Uint8Array(10 + hdr.length + calib.byteLength);
    npy.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, hdr.length & 255, hdr.length >> 8]);
    npy.set(hdr, 10);
    npy.set(new Uint8Array(calib.buffer), 10 + hdr.length);
    writeFileSync(join(tmp, 'calib.npy'), npy);
    writeFileSync(join(tmp, 'sotu-eval.json'), JSON.stringify(evalIds));
    const bare = join(tmp, 'micro-no-tokenizer');
    mkdirSync(bare);
    for (const f of ['config.json', 'model.safetensors']) writeFileSync(join(bare, f), readFileSync(join(MICRO_DIR, f)));
    const viaIds = join(tmp, 'ids-ids');
    const idArgs = ['--model', bare, ...common, '--calib-ids', join(tmp, 'calib.npy'), '--eval-ids', join(tmp, 'sotu-eval.json')];
    const r = await cli([...idArgs, '--out', viaIds]);
    expect(r.code, r.stderr).toBe(0);
    const a = parseSafetensors(new Uint8Array(readFileSync(join(viaText, 'model.safetensors'))));
    const b = parseSafetensors(new Uint8Array(readFileSync(join(viaIds, 'model.safetensors'))));
    for (const n of a.names()) expect(b.f32(n), n).toEqual(a.f32(n));
    const ppl = (d: string) => JSON.parse(readFileSync(join(d, 'report.json'), 'utf8')).perplexity.pruned[0].ppl;
    expect(ppl(viaIds)).toBe(ppl(viaText));
    // Without --eval-ids the eval texts cannot be tokenised: said before any work. Bad ids are named.
    const noEval = await cli(['--model', bare, ...common, '--calib-ids', join(tmp, 'calib.npy'), '--out', join(tmp, 'x')]);
    expect(noEval.code).toBe(2);
    expect(noEval.stderr).toMatch(/no tokenizer file.*--eval-ids FILES, or --eval none/);
    writeFileSync(join(tmp, 'bad.json'), JSON.stringify([1, 2, 99999]));
    const bad = await cli([...idArgs.slice(0, -1), join(tmp, 'bad.json'), '--out', join(tmp, 'y')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bad\.json: id 99999 at position 2 is not a token of this model \(ids are 0…383\)/);
  });

  it('Ctrl-C keeps finished blocks on disk; --resume finishes with the same result as an uninterrupted run', async () => {
    const out = join(tmp, 'besa');
    const args = ['--model', MICRO_DIR, '--method', 'besa', '--samples', '16', '--seqlen', '64', '--eval', 'none', '--cpu', '--out', out];
    let sent = false;
    const cut = await cli(args, (text, kill) => {
      if (!sent && /block 0: sparsity/.test(text)) {
        sent = true;
        kill();
      }
    });
    expect(cut.code, cut.stderr).toBe(130);
    expect(cut.stderr).toMatch(/rerun the same command with --resume/);
    expect(JSON.parse(readFileSync(join(out, 'checkpoint/state.json'), 'utf8')).completed).toBe(1);
    const again = await cli(args); // without --resume the saved progress is not thrown away
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/holds 1\/2 finished blocks of an interrupted run; add --resume/);
    const res = await cli([...args, '--resume']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/resuming after block 0/);
    expect(res.stdout).toMatch(/achieved sparsity over all pruned linears: 0\.5000/); // default final mask 'match-target'
    expect(res.stdout).toMatch(
      /BESA final mask 'match-target' \(block: learned from θ \/ reference floor\(s·C\) \/ applied\):\n {2}block 0: 0\.\d{4} \/ 0\.\d{4} \/ 0\.5000/,
    );
    // reference: the same run in-process, uninterrupted
    const m = await loadMicro();
    const cfg = microConfig({ method: 'besa', nsamples: 16, seqlen: 64 });
    const ref = await runPipeline({ model: m, config: cfg, calibrationIds: calibIds(m, cfg), executor: new CpuBlockExecutor(m.spec) });
    const got = await loadModel(nodeDirSource(out));
    got.weights.blocks.forEach((b, i) =>
      LINEAR_NAMES.forEach((n) => expect(linearOf(b, n).w).toEqual(linearOf(ref.weights.blocks[i], n).w)),
    );
  });

  it('Ctrl-C inside a BESA block keeps its optimiser state: --resume continues that block at its step, same result', async () => {
    const out = join(tmp, 'besa-in-block');
    const args = ['--model', MICRO_DIR, '--method', 'besa', '--samples', '16', '--seqlen', '64', '--eval', 'none', '--cpu', '--out', out];
    let sent = false;
    const cut = await cli([...args, '--checkpoint-every', '4', '--progress', 'lines'], (text, kill) => {
      if (!sent && /block 0 \(1 of 2\) step 6\/16/.test(text)) {
        sent = true;
        kill();
      }
    });
    expect(cut.code, cut.stderr).toBe(130);
    expect(cut.stderr).toMatch(/stopped: 0\/2 blocks, and block 0 after step \d+\/16 are saved in .*--resume to continue/);
    const again = await cli(args);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/holds 0 finished blocks of an interrupted run, and block 0 stopped after step \d+\/16; add --resume/);
    const res = await cli([...args, '--resume']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/resuming block 0 at step \d+\/16 \(0\/2 blocks done\)/);
    const m = await loadMicro();
    const cfg = microConfig({ method: 'besa', nsamples: 16, seqlen: 64 });
    const ref = await runPipeline({ model: m, config: cfg, calibrationIds: calibIds(m, cfg), executor: new CpuBlockExecutor(m.spec) });
    const got = await loadModel(nodeDirSource(out));
    got.weights.blocks.forEach((b, i) =>
      LINEAR_NAMES.forEach((n) => expect(linearOf(b, n).w).toEqual(linearOf(ref.weights.blocks[i], n).w)),
    );
    const bad = await cli([...args, '--checkpoint-every', '-1']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--checkpoint-every -1: use a whole number of steps, 0 or more/);
    const badP = await cli([...args, '--progress', 'fancy']);
    expect(badP.stderr).toMatch(/--progress fancy: use bar, lines or none/);
  });

  it('a killed run (SIGKILL, no chance to clean up) leaves a resumable checkpoint and no model files', async () => {
    const out = join(tmp, 'besa-killed');
    const args = ['--model', MICRO_DIR, '--method', 'besa', '--samples', '16', '--seqlen', '64', '--eval', 'none', '--cpu', '--out', out];
    let sent = false;
    const cut = await cli(args, (text, kill) => {
      if (!sent && /block 0: sparsity/.test(text)) {
        sent = true;
        kill('SIGKILL');
      }
    });
    expect(cut.code).toBeNull(); // ended by the signal
    expect(existsSync(join(out, 'model.safetensors'))).toBe(false);
    expect(existsSync(join(out, 'model.safetensors.partial'))).toBe(false);
    expect(JSON.parse(readFileSync(join(out, 'checkpoint/state.json'), 'utf8')).completed).toBe(1); // saved before block-end is printed
    const res = await cli([...args, '--resume']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toMatch(/resuming after block 0/);
    const m = await loadMicro();
    const cfg = microConfig({ method: 'besa', nsamples: 16, seqlen: 64 });
    const ref = await runPipeline({ model: m, config: cfg, calibrationIds: calibIds(m, cfg), executor: new CpuBlockExecutor(m.spec) });
    const got = await loadModel(nodeDirSource(out));
    got.weights.blocks.forEach((b, i) =>
      LINEAR_NAMES.forEach((n) => expect(linearOf(b, n).w).toEqual(linearOf(ref.weights.blocks[i], n).w)),
    );
  });

  it('--engine wasm runs on the WASM engine and says so; --engine auto reports its choice and why', async () => {
    const out = join(tmp, 'wasm');
    const r = await cli([
      '--model',
      MICRO_DIR,
      '--method',
      'wanda',
      '--samples',
      '4',
      '--seqlen',
      '32',
      '--eval',
      'sotu-eval',
      '--eval-windows',
      '2',
      '--engine',
      'wasm',
      '--threads',
      '2',
      '--out',
      out,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/engine: wasm \(wasm requested; SIMD f32 products, 2 threads\)/);
    const rep = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(rep.device.executor).toBe('wasm');
    expect(rep.device.adapter).toBe('wasm (SIMD f32 products, 2 threads)');
    expect(rep.achievedSparsity).toBe(0.5);
    const auto = await cli([
      '--model',
      MICRO_DIR,
      '--method',
      'magnitude',
      '--samples',
      '2',
      '--seqlen',
      '16',
      '--eval',
      'none',
      '--out',
      join(tmp, 'auto'),
    ]);
    expect(auto.code, auto.stderr).toBe(0);
    expect(auto.stderr).toMatch(/engine: (webgpu|wasm) \(auto: /);
  });

  it("--reference-mask selects the released code's floor(s·C) final mask; the default matches the target", () => {
    const cfg = (argv: string[]) => runConfigFromArgs(parseArgs(argv, RUN_FLAGS), 'besa', 256).besa.finalMask;
    expect(cfg([])).toBe('match-target');
    expect(cfg(['--reference-mask'])).toBe('reference');
  });

  it('bad arguments: named errors with the fix, exit code 2 (1 for invalid combinations)', async () => {
    const a = await cli(['--model', MICRO_DIR, '--sparsity', 'half', '--cpu']);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/CliArgumentError: --sparsity half: expected a number/);
    expect(() => parseArgs(['--methdo', 'besa'], { method: { kind: 'string', help: '' } })).toThrow(
      /unknown option --methdo; did you mean --method\?/,
    );
    expect(() => parseArgs(['--cpu=yes'], RUN_FLAGS)).toThrow(/--cpu is a switch/);
    const e = await cli(['--model', MICRO_DIR, '--engine', 'tpu']);
    expect(e.code).toBe(2);
    expect(e.stderr).toMatch(/CliArgumentError: --engine tpu: use one of auto, webgpu, wasm, cpu/);
    const both = await cli(['--model', MICRO_DIR, '--engine', 'wasm', '--cpu']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--cpu contradicts --engine wasm/);
    const t = await cli(['--model', MICRO_DIR, '--engine', 'wasm', '--threads', '0']);
    expect(t.code).toBe(2);
    expect(t.stderr).toMatch(/CliArgumentError: --threads 0: use a whole number from 1 to 33/);
    const f = await cli(['--model', MICRO_DIR, '--export-format', 'zip', '--cpu']);
    expect(f.code).toBe(2);
    expect(f.stderr).toMatch(/CliArgumentError: --export-format zip: use dense, sparse-bitmask, sparse-24-bitmask/);
    const c = await cli(['--model', MICRO_DIR, '--method', 'besa', '--nm', '2:4', '--cpu']);
    expect(c.code).toBe(1);
    expect(c.stderr).toMatch(/RunConfigError: BESA .* no N:M mode/);
  });
});
