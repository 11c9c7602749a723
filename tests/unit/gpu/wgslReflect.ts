// A small WGSL reader for the descriptor test (not a full parser: enough for shaders/, and it reports
// what it cannot read instead of skipping it). It finds the group-0 bindings, struct Params, the
// override constants, the @compute entry points with their @workgroup_size, and, per entry point,
// which bound globals it uses (its body plus the functions it calls, transitively) — the set that
// layout 'auto' puts in the entry point's bind group layout.
import type { Binding, KernelDescriptor } from '../../../src/gpu/kernelDescriptor';

export interface WgslBinding {
  name: string;
  binding: Binding;
}

export interface WgslInfo {
  bindings: WgslBinding[];
  params: [string, string][] | null;
  overrides: Map<string, number>;
  /** Entry point → its @workgroup_size arguments. */
  entries: Map<string, string[]>;
  /** Entry point → names of the bound globals it uses. */
  uses: Map<string, Set<string>>;
  problems: string[];
}

function stripComments(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/[^\n]*/g, '');
}

/** Body of the function whose `fn` keyword is at `at` (text between its outermost braces). */
function fnBody(code: string, at: number): string {
  const open = code.indexOf('{', at);
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    if (code[i] === '{') depth++;
    else if (code[i] === '}' && --depth === 0) return code.slice(open + 1, i);
  }
  throw new Error(`unbalanced braces in fn at ${at}`);
}

export function reflectWgsl(source: string): WgslInfo {
  const code = stripComments(source);
  const problems: string[] = [];
  const bindings: WgslBinding[] = [];
  const bindRe = /@group\((\d+)\)\s*@binding\((\d+)\)\s*var<\s*(\w+)\s*(?:,\s*(\w+)\s*)?>\s*(\w+)\s*:/g;
  for (const m of code.matchAll(bindRe)) {
    const [, group, num, space, access, name] = m;
    if (group !== '0') problems.push(`${name}: group ${group} (the runtime binds group 0 only)`);
    const binding = Number(num);
    if (space === 'uniform') bindings.push({ name, binding: { binding, space: 'uniform' } });
    else if (space === 'storage') {
      const acc = access ?? 'read';
      if (acc !== 'read' && acc !== 'read_write') problems.push(`${name}: unknown access ${acc}`);
      bindings.push({ name, binding: { binding, space: 'storage', access: acc as 'read' | 'read_write' } });
    } else problems.push(`${name}: unsupported address space ${space}`);
  }
  const declared = (code.match(/@binding\(/g) ?? []).length;
  if (declared !== bindings.length) problems.push(`${declared} @binding attributes but ${bindings.length} readable binding declarations`);

  const struct = /struct\s+Params\s*\{([^}]*)\}/.exec(code);
  const params = struct
    ? struct[1]
        .split(',')
        .map((f) => f.trim())
        .filter(Boolean)
        .map((f) => {
          const m = /^(\w+)\s*:\s*(\w+)$/.exec(f);
          if (!m) problems.push(`Params field "${f}" is not "name: scalar"`);
          return (m ? [m[1], m[2]] : [f, '?']) as [string, string];
        })
    : null;

  const overrides = new Map<string, number>();
  for (const m of code.matchAll(/override\s+(\w+)\s*(?::\s*\w+)?\s*=\s*(\d+)u?\s*;/g)) overrides.set(m[1], Number(m[2]));
  if ((code.match(/\boverride\s/g) ?? []).length !== overrides.size) problems.push('an override without a readable integer default');

  const fns = new Map<string, string>();
  for (const m of code.matchAll(/\bfn\s+(\w+)\s*\(/g)) fns.set(m[1], fnBody(code, m.index));
  const entries = new Map<string, string[]>();
  for (const m of code.matchAll(/@compute\s+@workgroup_size\(([^)]*)\)\s*fn\s+(\w+)/g)) {
    entries.set(
      m[2],
      m[1]
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean),
    );
  }
  if ((code.match(/@compute/g) ?? []).length !== entries.size) problems.push('an @compute without a readable @workgroup_size(...) fn');

  const bound = new Set(bindings.map((b) => b.name));
  const uses = new Map<string, Set<string>>();
  for (const entry of entries.keys()) {
    const used = new Set<string>();
    const seen = new Set<string>();
    const visit = (fn: string) => {
      if (seen.has(fn)) return;
      seen.add(fn);
      // identifiers not preceded by "." (so p.n is p, not a global n) or by a word char (256u)
      for (const m of (fns.get(fn) ?? '').matchAll(/(?<![.\w])([A-Za-z_]\w*)/g)) {
        if (bound.has(m[1])) used.add(m[1]);
        else if (fns.has(m[1])) visit(m[1]);
      }
    };
    visit(entry);
    uses.set(entry, used);
  }
  return { bindings, params, overrides, entries, uses, problems };
}

/** Every difference between a descriptor and its WGSL source, as readable lines (empty = they match). */
export function descriptorMismatches(desc: KernelDescriptor, source: string): string[] {
  const w = reflectWgsl(source);
  const out = w.problems.map((p) => `${desc.shader}: ${p}`);
  const fmt = (b: Binding) => `@binding(${b.binding}) ${b.space === 'uniform' ? 'uniform' : `storage, ${b.access}`}`;

  const wantEntries = Object.keys(desc.entryPoints).sort();
  const haveEntries = [...w.entries.keys()].sort();
  if (wantEntries.join() !== haveEntries.join())
    out.push(`${desc.shader}: entry points ${haveEntries.join(', ')} in WGSL, ${wantEntries.join(', ')} in the descriptor`);

  const byName = new Map(w.bindings.map((b) => [b.name, b.binding]));
  const described = new Set<string>();
  for (const [entry, list] of Object.entries(desc.entryPoints)) {
    const where = `${desc.shader}.${entry}`;
    const names = Object.keys(list);
    names.forEach((n) => described.add(n));
    const nums = names.map((n) => list[n].binding);
    if (nums.some((x, i) => i > 0 && x <= nums[i - 1])) out.push(`${where}: descriptor bindings are not in increasing binding order`);
    for (const n of names) {
      const have = byName.get(n);
      if (!have) out.push(`${where}: descriptor binding "${n}" is not declared in the WGSL`);
      else if (fmt(have) !== fmt(list[n])) out.push(`${where}: "${n}" is ${fmt(have)} in WGSL, ${fmt(list[n])} in the descriptor`);
    }
    const used = w.uses.get(entry);
    if (!used) continue;
    for (const n of used) if (!(n in list)) out.push(`${where}: uses "${n}" (${fmt(byName.get(n)!)}) but the descriptor does not list it`);
    for (const n of names)
      if (byName.has(n) && !used.has(n)) out.push(`${where}: descriptor lists "${n}" but the entry point does not use it`);
  }
  for (const b of w.bindings)
    if (!described.has(b.name)) out.push(`${desc.shader}: WGSL binding "${b.name}" (${fmt(b.binding)}) is in no descriptor entry point`);

  const want = Object.entries(desc.params ?? {})
    .map(([n, t]) => `${n}: ${t}`)
    .join(', ');
  const have = (w.params ?? []).map(([n, t]) => `${n}: ${t}`).join(', ');
  if (want !== have) out.push(`${desc.shader}: Params { ${have} } in WGSL, { ${want} } in the descriptor`);

  const usedOverrides = new Set<string>();
  for (const [entry, args] of w.entries) {
    for (const a of args) {
      if (a === '1') continue;
      if (!w.overrides.has(a)) out.push(`${desc.shader}.${entry}: @workgroup_size argument "${a}" is not an override constant`);
      else usedOverrides.add(a);
    }
  }
  const wantWg = Object.entries(desc.workgroupSize)
    .map(([k, v]) => `${k}=${v}`)
    .sort()
    .join(', ');
  const haveWg = [...usedOverrides]
    .map((k) => `${k}=${w.overrides.get(k)}`)
    .sort()
    .join(', ');
  if (wantWg !== haveWg) out.push(`${desc.shader}: workgroup size overrides ${haveWg} in WGSL, ${wantWg} in the descriptor`);
  return out;
}
