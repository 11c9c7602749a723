// Reading a report.json back (issue #14: a report the studio opens to show a finished run's charts; issue #17:
// a file from anywhere, fuzzed). Every field the studio, the recipe and the CSV read is checked for its type
// and range, and all problems are listed at once in one ReportFileError; nothing else is trusted.
import { recordLinearNames } from '../model/spec';
import { CONFIG_FIELDS, valueProblem } from './configSchema';
import { METHOD_NAMES } from './methods/registry';
import { REPORT_SCHEMA, type RunReport } from './report';
import { GPT2_TRACE_COLUMNS, TRACE_COLUMNS, traceColumns } from './reportTrace';

/** A file that is not a run report this version can show, with every problem found. */
export class ReportFileError extends Error {
  override name = 'ReportFileError';
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    const shown = problems.slice(0, 12).join('; ') + (problems.length > 12 ? `; and ${problems.length - 12} more` : '');
    super(`${file} is not a run report this studio can show: ${shown}`);
  }
}

/** Larger than any real report (a 64-layer BESA run's trace is about 2 MB). */
export const MAX_REPORT_BYTES = 64 * 2 ** 20;
const MAX_LAYERS = 4096;
const MAX_TRACE_ROWS = 1 << 20;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isInt = (v: unknown, lo: number, hi: number): v is number => Number.isInteger(v) && (v as number) >= lo && (v as number) <= hi;
const isFrac = (v: unknown): v is number => isNum(v) && v >= 0 && v <= 1;

/** Collects problems as "path: what is wrong". */
class Checks {
  readonly problems: string[] = [];
  need(ok: boolean, path: string, what: string): boolean {
    if (!ok) this.problems.push(`${path} ${what}`);
    return ok;
  }
  obj(o: Obj, key: string, path: string): Obj | null {
    return this.need(isObj(o[key]), `${path}${key}`, 'must be an object') ? (o[key] as Obj) : null;
  }
  str(o: Obj, key: string, path: string): void {
    this.need(typeof o[key] === 'string', `${path}${key}`, 'must be a string');
  }
  num(o: Obj, key: string, path: string, min = -Infinity): void {
    this.need(isNum(o[key]) && (o[key] as number) >= min, `${path}${key}`, `must be a number${min > -Infinity ? ` ≥ ${min}` : ''}`);
  }
  int(o: Obj, key: string, path: string, lo: number, hi: number): void {
    this.need(isInt(o[key], lo, hi), `${path}${key}`, `must be a whole number from ${lo} to ${hi}`);
  }
  frac(o: Obj, key: string, path: string): void {
    this.need(isFrac(o[key]), `${path}${key}`, 'must be a number from 0 to 1');
  }
  oneOf(o: Obj, key: string, path: string, values: readonly string[]): void {
    this.need(values.includes(o[key] as string), `${path}${key}`, `must be one of ${values.join(', ')}`);
  }
  fracs(o: Obj, key: string, path: string): void {
    const v = this.obj(o, key, path);
    if (v) for (const n of recordLinearNames(v)) this.frac(v, n, `${path}${key}.`);
  }
}

function checkBlock(c: Checks, b: unknown, i: number, nLayers: number): void {
  const p = `allocation[${i}].`;
  if (!c.need(isObj(b), `allocation[${i}]`, 'must be an object')) return;
  const o = b as Obj;
  c.int(o, 'block', p, 0, nLayers - 1);
  const layers = c.obj(o, 'layers', p);
  if (layers)
    for (const n of recordLinearNames(layers)) {
      const l = c.obj(layers, n, `${p}layers.`);
      if (!l) continue;
      c.int(l, 'rows', `${p}layers.${n}.`, 1, 2 ** 20);
      c.int(l, 'cols', `${p}layers.${n}.`, 1, 2 ** 20);
      const numel = isInt(l.rows, 1, 2 ** 20) && isInt(l.cols, 1, 2 ** 20) ? l.rows * l.cols : 0;
      c.int(l, 'zeros', `${p}layers.${n}.`, 0, numel);
    }
  c.fracs(o, 'layerSparsity', p);
  c.frac(o, 'blockSparsity', p);
  if (o.expectedSparsity !== undefined) c.fracs(o, 'expectedSparsity', p);
  if (o.referenceMaskSparsity !== undefined) c.frac(o, 'referenceMaskSparsity', p);
  for (const k of ['lossBefore', 'lossAfter']) c.need(isNum(o[k]) || o[k] === null, `${p}${k}`, 'must be a number');
  c.int(o, 'steps', p, 0, 2 ** 31);
  c.num(o, 'seconds', p, 0);
}

function checkPerplexity(c: Checks, list: unknown, path: string): void {
  if (!c.need(Array.isArray(list), path, 'must be a list')) return;
  (list as unknown[]).forEach((r, i) => {
    const p = `${path}[${i}]`;
    if (!c.need(isObj(r), p, 'must be an object')) return;
    const o = r as Obj;
    c.str(o, 'dataset', `${p}.`);
    c.need(isNum(o.ppl) && o.ppl > 0, `${p}.ppl`, 'must be a positive number');
    for (const k of ['windows', 'seqlen', 'tokens']) c.int(o, k, `${p}.`, 0, 2 ** 40);
  });
}

/** The trace columns a report's blocks call for: its allocation's linears (GPT-2's or LLaMA's), either when it has none. */
function traceColumnsFor(allocation: unknown): readonly (readonly string[])[] {
  const layers = Array.isArray(allocation) && isObj(allocation[0]) ? allocation[0].layers : undefined;
  if (!isObj(layers)) return [TRACE_COLUMNS, GPT2_TRACE_COLUMNS];
  return [traceColumns(recordLinearNames(layers))];
}

function checkTrace(c: Checks, t: unknown, nLayers: number, allocation: unknown): void {
  if (!c.need(isObj(t), 'trace', 'must be an object')) return;
  const o = t as Obj;
  const allowed = traceColumnsFor(allocation);
  const columns = allowed.find((cols) => JSON.stringify(o.columns) === JSON.stringify(cols));
  c.need(columns !== undefined, 'trace.columns', `must be ${allowed.map((cols) => cols.join(', ')).join(' or ')}`);
  const width = (columns ?? allowed[0]).length;
  if (!c.need(Array.isArray(o.blocks) && o.blocks.length <= nLayers, 'trace.blocks', `must be a list of at most ${nLayers} blocks`)) return;
  let rows = 0;
  (o.blocks as unknown[]).forEach((b, i) => {
    const p = `trace.blocks[${i}]`;
    if (!c.need(isObj(b), p, 'must be an object')) return;
    const bo = b as Obj;
    c.int(bo, 'block', `${p}.`, 0, nLayers - 1);
    c.int(bo, 'totalSteps', `${p}.`, 0, 2 ** 31);
    if (!c.need(Array.isArray(bo.rows), `${p}.rows`, 'must be a list')) return;
    rows += (bo.rows as unknown[]).length;
    const bad = (bo.rows as unknown[]).findIndex((r) => !Array.isArray(r) || r.length !== width || !r.every(isNum));
    c.need(bad < 0, `${p}.rows[${bad}]`, `must be ${width} numbers`);
  });
  c.need(rows <= MAX_TRACE_ROWS, 'trace', `has ${rows} rows, more than ${MAX_TRACE_ROWS}`);
}

function checkReport(c: Checks, r: Obj): void {
  c.need(typeof r.runId === 'string' && r.runId.length > 0 && r.runId.length <= 200, 'runId', 'must be a string of 1 to 200 characters');
  c.oneOf(r, 'status', '', ['completed', 'cancelled', 'failed']);
  c.str(r, 'createdAt', '');
  const model = c.obj(r, 'model', '');
  if (model) {
    c.str(model, 'name', 'model.');
    c.int(model, 'nLayers', 'model.', 1, MAX_LAYERS);
  }
  const nLayers = model && isInt(model.nLayers, 1, MAX_LAYERS) ? model.nLayers : MAX_LAYERS;
  const data = c.obj(r, 'data', '');
  if (data) for (const k of ['nsamples', 'seqlen']) c.int(data, k, 'data.', 1, 2 ** 31);
  const method = c.obj(r, 'method', '');
  if (method) {
    c.oneOf(method, 'name', 'method.', METHOD_NAMES);
    c.oneOf(method, 'structure', 'method.', ['unstructured', '2:4', '4:8']);
    c.frac(method, 'targetSparsity', 'method.');
  }
  const config = c.obj(r, 'config', '');
  if (config && c.need(isObj(config.besa), 'config.besa', 'must be an object'))
    for (const f of CONFIG_FIELDS) {
      const v = f.key.split('.').reduce<unknown>((o, k) => (isObj(o) ? o[k] : undefined), config);
      const problem = valueProblem(f, v);
      c.need(problem === null, `config.${f.key}`, `is invalid (${problem})`);
    }
  c.int(r, 'startBlock', '', 0, nLayers);
  c.int(r, 'completedBlocks', '', 0, nLayers);
  if (c.need(Array.isArray(r.allocation) && r.allocation.length <= nLayers, 'allocation', `must be a list of at most ${nLayers} blocks`))
    (r.allocation as unknown[]).forEach((b, i) => checkBlock(c, b, i, nLayers));
  c.frac(r, 'achievedSparsity', '');
  const ppl = c.obj(r, 'perplexity', '');
  if (ppl) for (const stage of ['dense', 'pruned']) checkPerplexity(c, ppl[stage], `perplexity.${stage}`);
  if (r.storage !== undefined) {
    const s = c.obj(r, 'storage', '');
    if (s) {
      c.int(s, 'dense', 'storage.', 0, Number.MAX_SAFE_INTEGER);
      for (const k of ['sparse-bitmask', 'sparse-24-bitmask']) if (s[k] !== null) c.int(s, k, 'storage.', 0, Number.MAX_SAFE_INTEGER);
    }
  }
  if (r.trace !== undefined) checkTrace(c, r.trace, nLayers, r.allocation);
  const timing = c.obj(r, 'timing', '');
  if (timing) for (const k of ['wallSeconds', 'pruneSeconds', 'evalSeconds', 'meanBlockSeconds']) c.num(timing, k, 'timing.', 0);
  const device = c.obj(r, 'device', '');
  if (device) {
    c.str(device, 'executor', 'device.');
    c.str(device, 'adapter', 'device.');
  }
}

/** The report in a report.json file's bytes, or a ReportFileError naming every problem. */
export function parseReportFile(file: string, bytes: Uint8Array): RunReport {
  if (bytes.length > MAX_REPORT_BYTES)
    throw new ReportFileError(file, [
      `it is ${bytes.length} bytes, more than a report's ${MAX_REPORT_BYTES}; pick the .report.json a run wrote`,
    ]);
  let r: unknown;
  try {
    r = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new ReportFileError(file, [`it is not JSON (${(e as Error).message}); pick the .report.json a run wrote`]);
  }
  if (!isObj(r)) throw new ReportFileError(file, ['it is JSON but not an object; pick the .report.json a run wrote']);
  if (r.schema !== REPORT_SCHEMA)
    throw new ReportFileError(file, [
      typeof r.schema === 'string' && r.schema.startsWith('besa-studio/run-report@')
        ? `its schema is ${r.schema}; this studio reads ${REPORT_SCHEMA}`
        : `schema must be "${REPORT_SCHEMA}" (is this a BESA Studio run report?)`,
    ]);
  const c = new Checks();
  checkReport(c, r);
  if (c.problems.length) throw new ReportFileError(file, c.problems);
  return r as unknown as RunReport;
}
