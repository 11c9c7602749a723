// Kernels described as data (issue #18): one KernelDescriptor per shaders/<name>.wgsl lists its entry
// points, each entry point's bindings by name (number, address space, access), the uniform Params
// struct's fields in order, and the override constants of @workgroup_size with their defaults.
// GpuRuntime.run binds buffers by name and packs Params from it, so no wrapper hand-packs bytes or
// orders a buffer list; tests/unit/gpu/descriptors.test.ts checks every descriptor against its WGSL.
import { ShapeError } from './errors';

export type Scalar = 'u32' | 'i32' | 'f32';

export type Binding =
  | { readonly binding: number; readonly space: 'uniform' }
  | { readonly binding: number; readonly space: 'storage'; readonly access: 'read' | 'read_write' };

/** `var<uniform>` at @binding(n) (the Params struct). */
export const uniform = (binding: number) => ({ binding, space: 'uniform' }) as const;
/** `var<storage, read>` at @binding(n). */
export const read = (binding: number) => ({ binding, space: 'storage', access: 'read' }) as const;
/** `var<storage, read_write>` at @binding(n). */
export const readWrite = (binding: number) => ({ binding, space: 'storage', access: 'read_write' }) as const;

export interface KernelDescriptor {
  /** File name under shaders/ without .wgsl. */
  readonly shader: string;
  /** Fields of `struct Params` in declaration order; names starting with "_" are padding (packed as 0). */
  readonly params?: Readonly<Record<string, Scalar>>;
  /** Override constants used in @workgroup_size, with their WGSL defaults. */
  readonly workgroupSize: Readonly<Record<string, number>>;
  /** The shader's index arithmetic assumes the default workgroup size: run() rejects overriding it. */
  readonly fixedWorkgroupSize?: boolean;
  /**
   * Per entry point, the globals it uses (layout 'auto' binds exactly those), in binding order.
   * Entry points of one file may give one binding number different names (rmsnorm's backward reads
   * rstd at 3 where the forward writes y).
   */
  readonly entryPoints: Readonly<Record<string, Readonly<Record<string, Binding>>>>;
}

/** Identity with literal types kept, so run() can type-check entry, buffer and param names. */
export function defineKernel<const D extends KernelDescriptor>(d: D): D {
  return d;
}

export type EntryOf<D extends KernelDescriptor> = keyof D['entryPoints'] & string;
type BindingsOf<D extends KernelDescriptor, E extends EntryOf<D>> = D['entryPoints'][E];
type StorageNames<B> = { [K in keyof B]: B[K] extends { space: 'storage' } ? K : never }[keyof B] & string;
type UsesUniform<B> = [Extract<B[keyof B], { space: 'uniform' }>] extends [never] ? false : true;
type ParamNames<D extends KernelDescriptor> = Exclude<keyof NonNullable<D['params']>, `_${string}`> & string;
export type Workgroups = [number, number?, number?];

export type RunArgs<D extends KernelDescriptor, E extends EntryOf<D>> = {
  /** Storage buffers by binding name (exactly the entry point's set). */
  buffers: Record<StorageNames<BindingsOf<D, E>>, GPUBuffer>;
  workgroups: Workgroups;
  /** Override constants (only names from the descriptor's workgroupSize). */
  constants?: Partial<Record<keyof D['workgroupSize'] & string, number>>;
} & (UsesUniform<BindingsOf<D, E>> extends true ? { params: Record<ParamNames<D>, number> } : { params?: undefined });

/** A call that does not match the descriptor: names the kernel and what to add or remove. */
export class KernelArgsError extends ShapeError {
  override name = 'KernelArgsError';
}

function entryBindings(desc: KernelDescriptor, entry: string): Readonly<Record<string, Binding>> {
  const b = desc.entryPoints[entry];
  if (!b) {
    throw new KernelArgsError(`${desc.shader}: no entry point "${entry}" (has ${Object.keys(desc.entryPoints).join(', ')}).`);
  }
  return b;
}

/** Storage bindings of `entry` as (binding number, buffer), checking the names given are exactly the declared ones. */
export function storageEntries(desc: KernelDescriptor, entry: string, buffers: Record<string, GPUBuffer>): [number, GPUBuffer][] {
  const where = `${desc.shader}.${entry}`;
  const decl = Object.entries(entryBindings(desc, entry)).filter(([, b]) => b.space === 'storage');
  const names = decl.map(([n]) => n);
  for (const n of names) {
    if (!buffers[n]) throw new KernelArgsError(`${where}: missing binding "${n}" (expects buffers ${names.join(', ')}).`);
  }
  for (const n of Object.keys(buffers)) {
    if (!names.includes(n)) throw new KernelArgsError(`${where}: extra binding "${n}" (expects buffers ${names.join(', ')}).`);
  }
  return decl.map(([n, b]) => [b.binding, buffers[n]]);
}

/** Binding number of `entry`'s uniform Params, or null when the entry point does not use it. */
export function uniformBinding(desc: KernelDescriptor, entry: string): number | null {
  const u = Object.values(entryBindings(desc, entry)).find((b) => b.space === 'uniform');
  return u ? u.binding : null;
}

const LIMITS: Record<Exclude<Scalar, 'f32'>, [number, number]> = { u32: [0, 2 ** 32 - 1], i32: [-(2 ** 31), 2 ** 31 - 1] };

/** Params bytes (4 per field, padding fields 0, size rounded up to 16 as uniform buffers need). */
export function packParams(desc: KernelDescriptor, entry: string, values: Record<string, number>): ArrayBuffer {
  const where = `${desc.shader}.${entry}`;
  const fields = Object.entries(desc.params ?? {});
  const names = fields.filter(([n]) => !n.startsWith('_')).map(([n]) => n);
  for (const n of Object.keys(values)) {
    if (!names.includes(n)) throw new KernelArgsError(`${where}: extra param "${n}" (Params has ${names.join(', ')}).`);
  }
  const buf = new ArrayBuffer(Math.max(16, Math.ceil((fields.length * 4) / 16) * 16));
  const view = new DataView(buf);
  fields.forEach(([n, type], i) => {
    const padding = n.startsWith('_');
    const v = padding ? 0 : values[n];
    if (v === undefined) throw new KernelArgsError(`${where}: missing param "${n}" (Params has ${names.join(', ')}).`);
    if (type === 'f32') {
      view.setFloat32(i * 4, v, true);
      return;
    }
    const [lo, hi] = LIMITS[type];
    if (!Number.isInteger(v) || v < lo || v > hi) throw new KernelArgsError(`${where}: param ${n} = ${v} is not a valid ${type}.`);
    if (type === 'u32') view.setUint32(i * 4, v, true);
    else view.setInt32(i * 4, v, true);
  });
  return buf;
}

/** Check override constants against the descriptor (names declared, not a fixed-size kernel). */
export function checkConstants(desc: KernelDescriptor, constants: Record<string, number | undefined> | undefined): void {
  if (!constants) return;
  for (const k of Object.keys(constants)) {
    if (!(k in desc.workgroupSize)) {
      throw new KernelArgsError(`${desc.shader}: unknown override "${k}" (has ${Object.keys(desc.workgroupSize).join(', ')}).`);
    }
    if (desc.fixedWorkgroupSize) {
      throw new KernelArgsError(`${desc.shader}: the workgroup size is fixed by its index arithmetic; do not override "${k}".`);
    }
  }
}
