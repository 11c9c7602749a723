// GpuRuntime: the one object kernels talk to. It owns the device, a pipeline cache keyed by shader
// + entry point + override constants, tracked buffers (allocation ledger), a command encoder that
// batches dispatches until the next readback or flush(), and upload/readback helpers.
//
// Kernels are dispatched with run(descriptor, entry, { params, buffers, workgroups }): the descriptor
// (src/gpu/kernelDescriptor.ts, one per shader in src/gpu/kernels/descriptors.ts) gives each binding's
// number and the Params layout, so buffers are bound by name and uniforms packed from the field list.
import type { AcquiredDevice } from './device';
import type { GpuCapabilities } from './capabilities';
import { BindCache } from './bindCache';
import { BufferTooLargeError, GpuRunError, GpuValidationError, type UncapturedKind } from './errors';
import {
  KernelArgsError,
  checkConstants,
  packParams,
  storageEntries,
  uniformBinding,
  type EntryOf,
  type KernelDescriptor,
  type RunArgs,
  type Workgroups,
} from './kernelDescriptor';
import { AllocationLedger } from './ledger';
import { getShaderSource } from './shaderSources';

export type { Workgroups };

/** One dispatch as recorded by GpuRuntime.run, kept for a timed replay (src/gpu/profile.ts). */
export interface CapturedDispatch {
  kernel: string; // "<shader>.<entry>"
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
  workgroups: Workgroups;
}

const STORAGE = 0x80; // GPUBufferUsage.STORAGE (globals may not exist before the device is made)
const COPY_SRC = 0x04;
const COPY_DST = 0x08;
const MAP_READ = 0x01;
const UNIFORM = 0x40;

export class GpuRuntime {
  readonly device: GPUDevice;
  readonly adapter: GPUAdapter;
  readonly caps: GpuCapabilities;
  readonly ledger = new AllocationLedger();
  readonly lost: AcquiredDevice['lost'];
  private pipelines = new Map<string, GPUComputePipeline>();
  private encoder: GPUCommandEncoder | null = null;
  // One compute pass holds consecutive dispatches (WebGPU orders their storage accesses); it is
  // closed before copies/clears and at submit. Fewer passes cut per-dispatch cost on software drivers.
  private pass: GPUComputePassEncoder | null = null;
  private pendingUniforms: GPUBuffer[] = [];
  private binds = new BindCache();
  private keepAlive: unknown[] = [];
  private pendingDispatches = 0;
  /** When set, every recorded dispatch is also appended here (src/gpu/profile.ts: timed replay per kernel). */
  capture: CapturedDispatch[] | null = null;
  /** Running totals since the runtime was made: what a BESA step costs in submits and serial readbacks. */
  readonly counters = { dispatches: 0, submits: 0, readbacks: 0 };

  /** The first WebGPU error no error scope caught since the last takeUncapturedError (docs/reliability.md). */
  private uncaptured: { kind: UncapturedKind; message: string } | null = null;

  constructor(acquired: AcquiredDevice) {
    this.device = acquired.device;
    this.adapter = acquired.adapter;
    this.caps = acquired.caps;
    this.lost = acquired.lost;
    // Never silent: the first uncaptured error (the cause; later ones are its consequences) is kept until
    // the next phase check (checkErrors) turns it into a GpuRunError.
    this.device.addEventListener('uncapturederror', (ev) => {
      const err = (ev as GPUUncapturedErrorEvent).error;
      const name = err.constructor?.name ?? '';
      const kind: UncapturedKind = /OutOfMemory/.test(name) ? 'out-of-memory' : /Internal/.test(name) ? 'internal' : 'validation';
      this.uncaptured ??= { kind, message: err.message };
    });
  }

  /** The first uncaptured error since the last call (null when none); clears it. */
  takeUncapturedError(): { kind: UncapturedKind; message: string } | null {
    const e = this.uncaptured;
    this.uncaptured = null;
    return e;
  }

  /** Finish the queued work, then throw GpuRunError naming `phase` if WebGPU reported an uncaptured error. */
  async checkErrors(phase: string): Promise<void> {
    await this.sync();
    const e = this.takeUncapturedError();
    if (e) throw new GpuRunError(phase, e.kind, e.message);
  }

  /** Compute pipeline for `shaders/<shader>.wgsl`, compiled once per (entry point, constants). */
  private pipeline(shader: string, entryPoint = 'main', constants?: Record<string, number>): GPUComputePipeline {
    const key = `${shader}:${entryPoint}:${constants ? JSON.stringify(constants) : ''}`;
    let p = this.pipelines.get(key);
    if (!p) {
      const module = this.device.createShaderModule({ label: shader, code: getShaderSource(shader) });
      p = this.device.createComputePipeline({
        label: key,
        layout: 'auto',
        compute: { module, entryPoint, constants },
      });
      this.pipelines.set(key, p);
    }
    return p;
  }

  /** A storage buffer checked against the adapter's binding limit and recorded in the ledger. */
  createBuffer(bytes: number, label: string, extraUsage = 0): GPUBuffer {
    const limit = Math.min(this.caps.limits.maxStorageBufferBindingSize, this.caps.limits.maxBufferSize);
    if (bytes > limit) throw new BufferTooLargeError(label, bytes, limit);
    const size = Math.max(16, Math.ceil(bytes / 16) * 16); // WGSL arrays read in 16-byte granules
    const buffer = this.device.createBuffer({ label, size, usage: STORAGE | COPY_SRC | COPY_DST | extraUsage });
    this.ledger.track(buffer, size, label);
    return buffer;
  }

  /** Upload a typed array into a new tracked storage buffer. */
  upload(data: Float32Array | Uint32Array | Int32Array, label: string): GPUBuffer {
    const buffer = this.createBuffer(data.byteLength, label);
    this.write(buffer, data);
    return buffer;
  }

  write(buffer: GPUBuffer, data: Float32Array | Uint32Array | Int32Array, byteOffset = 0): void {
    this.device.queue.writeBuffer(buffer, byteOffset, data.buffer, data.byteOffset, data.byteLength);
  }

  /** A zero-filled tracked storage buffer. */
  zeros(bytes: number, label: string): GPUBuffer {
    const buffer = this.createBuffer(bytes, label);
    this.encoderNow().clearBuffer(buffer);
    return buffer;
  }

  destroy(...buffers: (GPUBuffer | null | undefined)[]): void {
    for (const b of buffers) {
      if (!b) continue;
      this.ledger.release(b);
      this.binds.forget(b);
      b.destroy();
    }
  }

  private encoderNow(): GPUCommandEncoder {
    this.endPass();
    if (!this.encoder) this.encoder = this.device.createCommandEncoder();
    return this.encoder;
  }

  private passNow(): GPUComputePassEncoder {
    if (!this.pass) this.pass = this.encoderNow().beginComputePass();
    return this.pass;
  }

  private endPass(): void {
    if (this.pass) {
      this.pass.end();
      this.pass = null;
    }
  }

  /**
   * Record entry point `entry` of `desc`'s shader: buffers bound by name, Params packed from the
   * descriptor's fields. Throws KernelArgsError naming the kernel and the missing/extra binding or param.
   */
  run<D extends KernelDescriptor, E extends EntryOf<D>>(desc: D, entry: E, args: RunArgs<D, E>): void {
    const constants = args.constants as Record<string, number | undefined> | undefined;
    checkConstants(desc, constants);
    const defined = constants && Object.fromEntries(Object.entries(constants).filter((kv): kv is [string, number] => kv[1] !== undefined));
    const pipeline = this.pipeline(desc.shader, entry, defined && Object.keys(defined).length ? defined : undefined);
    const entries = storageEntries(desc, entry, args.buffers as Record<string, GPUBuffer>);
    const ub = uniformBinding(desc, entry);
    const params = args.params as Record<string, number> | undefined;
    if (ub === null && params) {
      throw new KernelArgsError(`${desc.shader}.${entry}: takes no params (its entry point does not use Params); drop them.`);
    }
    if (ub !== null) {
      const bytes = packParams(desc, entry, params ?? {});
      const create = () => {
        const buf = this.device.createBuffer({ label: `${desc.shader}.params`, size: bytes.byteLength, usage: UNIFORM | COPY_DST });
        this.device.queue.writeBuffer(buf, 0, bytes);
        return buf;
      };
      entries.unshift([ub, this.binds.uniform(bytes, create, this.pendingUniforms)]);
    }
    const bindGroup = this.binds.bindGroup(pipeline, entries, () =>
      this.device.createBindGroup({
        label: `${desc.shader}.${entry}`,
        layout: pipeline.getBindGroupLayout(0),
        entries: entries.map(([binding, buffer]) => ({ binding, resource: { buffer } })),
      }),
    );
    this.record(pipeline, bindGroup, args.workgroups);
    this.capture?.push({ kernel: `${desc.shader}.${entry}`, pipeline, bindGroup, workgroups: args.workgroups });
  }

  private record(pipeline: GPUComputePipeline, bindGroup: GPUBindGroup, workgroups: Workgroups): void {
    const pass = this.passNow();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    const [x, y = 1, z = 1] = workgroups;
    pass.dispatchWorkgroups(x, y, z);
    this.counters.dispatches++;
    this.keepAlive.push(bindGroup);
    // Keep command buffers bounded: software drivers handle a few hundred passes per submit well.
    if (++this.pendingDispatches >= 256) this.flush();
  }

  copy(src: GPUBuffer, dst: GPUBuffer, bytes: number, srcOffset = 0, dstOffset = 0): void {
    this.encoderNow().copyBufferToBuffer(src, srcOffset, dst, dstOffset, bytes);
  }

  /** Submit everything recorded so far. */
  flush(): void {
    this.endPass();
    if (this.encoder) {
      const cmd = this.encoder.finish();
      this.device.queue.submit([cmd]);
      this.counters.submits++;
      this.keepAlive.push(this.encoder, cmd);
      this.encoder = null;
    }
    this.pendingDispatches = 0;
    if (this.pendingUniforms.length || this.keepAlive.length) {
      // Evicted uniform buffers may still be used by the submitted work; free them once it has run.
      const done = this.pendingUniforms;
      this.pendingUniforms = [];
      const alive = this.keepAlive;
      this.keepAlive = [];
      void this.device.queue.onSubmittedWorkDone().then(() => {
        done.forEach((b) => b.destroy());
        alive.length = 0;
      });
    }
  }

  /** Wait until all submitted work has finished. */
  async sync(): Promise<void> {
    this.flush();
    await this.device.queue.onSubmittedWorkDone();
  }

  /** Read `bytes` (default: the whole buffer) back to the CPU as Float32Array. */
  async read(buffer: GPUBuffer, bytes = buffer.size, byteOffset = 0): Promise<Float32Array> {
    const staging = this.device.createBuffer({ size: Math.ceil(bytes / 4) * 4, usage: MAP_READ | COPY_DST });
    this.encoderNow().copyBufferToBuffer(buffer, byteOffset, staging, 0, Math.ceil(bytes / 4) * 4);
    this.flush();
    this.counters.readbacks++;
    await staging.mapAsync(0x0001 /* GPUMapMode.READ */);
    const out = new Float32Array(staging.getMappedRange().slice(0));
    staging.unmap();
    staging.destroy();
    return bytes % 4 === 0 ? out : out.subarray(0, bytes / 4);
  }

  /**
   * Read several buffer ranges with ONE copy pass, one submit and one map (a BESA step's single readback):
   * each range is copied into its 4-byte-aligned slot of one staging buffer. Returns one Float32Array per range.
   */
  async readMany(ranges: { buffer: GPUBuffer; bytes: number }[]): Promise<Float32Array[]> {
    const slots = ranges.map((r) => Math.ceil(r.bytes / 4) * 4);
    const total = slots.reduce((a, b) => a + b, 0);
    const staging = this.device.createBuffer({ size: Math.max(4, total), usage: MAP_READ | COPY_DST });
    const enc = this.encoderNow();
    let off = 0;
    ranges.forEach((r, i) => {
      enc.copyBufferToBuffer(r.buffer, 0, staging, off, slots[i]);
      off += slots[i];
    });
    this.flush();
    this.counters.readbacks++;
    await staging.mapAsync(0x0001 /* GPUMapMode.READ */);
    const all = new Float32Array(staging.getMappedRange().slice(0));
    staging.unmap();
    staging.destroy();
    off = 0;
    return ranges.map((r, i) => {
      const v = all.subarray(off / 4, off / 4 + r.bytes / 4);
      off += slots[i];
      return v;
    });
  }

  async readU32(buffer: GPUBuffer, bytes = buffer.size): Promise<Uint32Array> {
    const f = await this.read(buffer, bytes);
    return new Uint32Array(f.buffer, f.byteOffset, f.length);
  }

  /** Run fn inside a validation error scope and throw GpuValidationError if WebGPU reported one. */
  async validated<T>(where: string, fn: () => Promise<T> | T): Promise<T> {
    this.device.pushErrorScope('validation');
    let result: T;
    try {
      result = await fn();
    } finally {
      this.flush();
      const err = await this.device.popErrorScope();
      // A validation error is the root cause of whatever fn threw (e.g. a failed mapAsync), so it wins.
      // eslint-disable-next-line no-unsafe-finally
      if (err) throw new GpuValidationError(where, err.message);
    }
    return result;
  }

  dispose(): void {
    this.flush();
    this.binds.clear().forEach((b) => b.destroy());
    this.device.destroy();
  }
}
