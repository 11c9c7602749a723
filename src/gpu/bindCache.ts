// Reuse of uniform buffers and bind groups across dispatches (GpuRuntime.run). Both are only ever
// created, never written after creation, so reusing one is as correct as making a new one:
//   - uniform buffers by content (the packed Params bytes): written once when made;
//   - bind groups by (pipeline, uniform buffer, storage buffers) identity.
// A destroyed storage buffer drops the bind groups that reference it (GpuRuntime.destroy calls
// forget); both maps are bounded, oldest entry first out. Evicted uniform buffers are returned to
// the caller, which destroys them only after the work already recorded with them has run.

const MAX_UNIFORMS = 512;
const MAX_GROUPS = 2048;

export class BindCache {
  private ids = new WeakMap<object, number>();
  private nextId = 1;
  private uniforms = new Map<string, GPUBuffer>();
  private groups = new Map<string, { group: GPUBindGroup; ids: number[] }>();
  /** Resource id → keys of the bind groups that use it. */
  private users = new Map<number, Set<string>>();

  private id(o: object): number {
    let i = this.ids.get(o);
    if (i === undefined) {
      i = this.nextId++;
      this.ids.set(o, i);
    }
    return i;
  }

  /** Uniform buffer holding `bytes`; `evicted` receives buffers pushed out of the cache. */
  uniform(bytes: ArrayBuffer, create: () => GPUBuffer, evicted: GPUBuffer[]): GPUBuffer {
    const key = new Uint32Array(bytes).join(',');
    const hit = this.uniforms.get(key);
    if (hit) {
      this.uniforms.delete(key); // re-insert: most recently used last
      this.uniforms.set(key, hit);
      return hit;
    }
    if (this.uniforms.size >= MAX_UNIFORMS) {
      const [oldKey, old] = this.uniforms.entries().next().value as [string, GPUBuffer];
      this.uniforms.delete(oldKey);
      this.forget(old);
      evicted.push(old);
    }
    const buf = create();
    this.uniforms.set(key, buf);
    return buf;
  }

  /** Bind group of `pipeline` for these (binding, buffer) entries, made by `create` on a miss. */
  bindGroup(pipeline: GPUComputePipeline, entries: [number, GPUBuffer][], create: () => GPUBindGroup): GPUBindGroup {
    const ids = entries.map(([, b]) => this.id(b));
    const key = `${this.id(pipeline)}|${entries.map(([n], i) => `${n}:${ids[i]}`).join(',')}`;
    const hit = this.groups.get(key);
    if (hit) return hit.group;
    if (this.groups.size >= MAX_GROUPS) this.dropGroup(this.groups.keys().next().value as string);
    const group = create();
    this.groups.set(key, { group, ids });
    for (const i of ids) {
      let s = this.users.get(i);
      if (!s) this.users.set(i, (s = new Set()));
      s.add(key);
    }
    return group;
  }

  /** Drop every bind group that uses `buffer` (it is being destroyed). */
  forget(buffer: GPUBuffer): void {
    const i = this.ids.get(buffer);
    if (i === undefined) return;
    for (const key of [...(this.users.get(i) ?? [])]) this.dropGroup(key);
    this.users.delete(i);
  }

  /** All cached uniform buffers (for dispose), emptying the cache. */
  clear(): GPUBuffer[] {
    const all = [...this.uniforms.values()];
    this.uniforms.clear();
    this.groups.clear();
    this.users.clear();
    return all;
  }

  private dropGroup(key: string): void {
    const g = this.groups.get(key);
    if (!g) return;
    this.groups.delete(key);
    for (const i of g.ids) {
      const s = this.users.get(i);
      s?.delete(key);
      if (s && s.size === 0) this.users.delete(i);
    }
  }
}
