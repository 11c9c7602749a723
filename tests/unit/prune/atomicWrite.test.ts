// CLI exports are atomic (src/cli/atomicWrite.ts): a failure mid-export leaves neither a model file
// nor `.partial` leftovers, an earlier export in the folder stays whole, and a success leaves
// exactly the files.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFilesAtomically } from '../../../src/cli/atomicWrite';

const files = {
  'model.safetensors': new Uint8Array(1000).fill(7),
  'config.json': new TextEncoder().encode('{"a":1}'),
  'tokenizer.json': new TextEncoder().encode('{}'),
};

describe('atomic CLI export', () => {
  it('writes every file, the weights last, and leaves no .partial file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'besa-atomic-'));
    const order: string[] = [];
    await writeFilesAtomically(dir, files, async (p, b) => (order.push(p.split('/').pop()!), writeFile(p, b)));
    expect(order.at(-1)).toBe('model.safetensors.partial');
    expect(readdirSync(dir).sort()).toEqual(['config.json', 'model.safetensors', 'tokenizer.json']);
    expect(readFileSync(join(dir, 'model.safetensors'))).toEqual(Buffer.from(files['model.safetensors']));
  });

  it('a failure while writing (disk full) leaves the earlier export whole and nothing half-written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'besa-atomic-'));
    writeFileSync(join(dir, 'model.safetensors'), 'the earlier export');
    let n = 0;
    const failing = async (p: string, b: Uint8Array) => {
      if (++n === 3) {
        await writeFile(p, b.subarray(0, 10)); // a truncated write, then the error
        throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
      }
      await writeFile(p, b);
    };
    await expect(writeFilesAtomically(dir, files, failing)).rejects.toThrow(/ENOSPC/);
    expect(readdirSync(dir)).toEqual(['model.safetensors']);
    expect(readFileSync(join(dir, 'model.safetensors'), 'utf8')).toBe('the earlier export');
  });
});
