// The run-config schema: one entry per RunConfig setting, with everything each front end needs:
// its place in RunConfig, type and valid range, the studio's label and hover help, the CLI flag and
// its help, the URL-hash key, and the methods it applies to. Defaults are read from DEFAULT_RUN
// (config.ts), so they have one source. Hash keys and flags are public (shared links, scripts):
// never rename one. The functions that use this table are in configSchema.ts.
import type { MethodName, RunConfig } from './config';
import { DEFAULT_BESA, DEFAULT_RUN } from './config';
import { METHODS, orList } from './methods/registry';

export interface Choice {
  value: string;
  label: string; // the studio's option text
}

export type SettingType =
  /** min/max inclusive unless minOpen/maxOpen. */
  | { kind: 'number'; min?: number; max?: number; minOpen?: boolean; maxOpen?: boolean }
  | { kind: 'int'; min: number }
  | { kind: 'bool' }
  | { kind: 'enum'; choices: readonly Choice[] }
  | { kind: 'id' } // a dataset id: letters, digits, _ and -
  | { kind: 'idList' }; // comma-separated dataset ids; '' (URL) or "none" (CLI) = none

export interface CliFlag {
  flag: string; // without the leading --
  help: string;
  /** A switch: giving it sets the field to this value (e.g. --layerwise → granularity 'layer'). */
  sets?: string | boolean;
  /** The values the flag accepts when fewer than the field's (--nm takes no 'unstructured'). */
  values?: readonly string[];
}

export interface PanelControl {
  step?: number;
  min?: number;
  max?: number;
  testId?: string;
}

export interface ConfigField {
  key: string; // path into RunConfig, e.g. 'besa.lambda'
  type: SettingType;
  label: string; // the studio's name for it
  help: string; // plain words, the studio's hover text
  hash: string; // URL-hash key
  cli?: CliFlag; // absent: not settable from the command line
  /** Methods it applies to (validation, the panel); absent: every method. */
  methods?: readonly MethodName[];
  /** Applies only when this holds too (e.g. d_coef only with the Prodigy optimiser). */
  activeWhen?: (c: RunConfig) => boolean;
  /** Shown in the studio's method panel with this control; absent: not in the panel. */
  panel?: PanelControl;
}

const besaOnly = ['besa'] as const satisfies readonly MethodName[];
const withNM = METHODS.filter((m) => m.structures.length > 1).map((m) => m.name);
const ids = (...values: string[]): Choice[] => values.map((value) => ({ value, label: value }));

/** In URL-hash order (formatHash writes them in this order; the panel shows them in this order too). */
export const CONFIG_FIELDS: readonly ConfigField[] = [
  {
    key: 'method',
    hash: 'method',
    label: 'method',
    type: { kind: 'enum', choices: METHODS.map((m) => ({ value: m.name, label: m.menuLabel })) },
    help: 'The pruning algorithm; hover the menu for what the chosen one does.',
    cli: { flag: 'method', help: `${METHODS[0].name} (default), ${orList(METHODS.slice(1).map((m) => m.name))}` },
    panel: { testId: 'method' },
  },
  {
    key: 'structure',
    hash: 'nm',
    label: 'pattern',
    methods: withNM,
    type: { kind: 'enum', choices: ids('unstructured', '2:4', '4:8') },
    help: 'Unstructured: any weight may be removed. N:M (2:4, 4:8): in every group of M consecutive inputs exactly N are removed — the pattern sparse tensor cores can speed up. N:M fixes the sparsity at N/M.',
    cli: {
      flag: 'nm',
      values: ['2:4', '4:8'],
      help: 'N:M semi-structured pattern, 2:4 or 4:8 (Wanda/SparseGPT/magnitude; needs --sparsity 0.5)',
    },
    panel: { testId: 'structure' },
  },
  {
    key: 'sparsity',
    hash: 'sparsity',
    label: 'target sparsity',
    type: { kind: 'number', min: 0, max: 1, minOpen: true, maxOpen: true },
    help: 'Fraction of the weights of the 7 linear layers to set to zero (0.5 = half). BESA hits it on average per block; each layer may differ.',
    cli: { flag: 'sparsity', help: `target sparsity α̂ (default ${DEFAULT_RUN.sparsity})` },
    panel: { testId: 'sparsity', step: 0.05, min: 0.05, max: 0.95 },
  },
  {
    key: 'nsamples',
    hash: 'samples',
    label: 'samples',
    type: { kind: 'int', min: 1 },
    help: 'How many calibration text windows are used. BESA takes one optimiser step per sample per block (the paper uses 128).',
    cli: { flag: 'samples', help: `calibration sequences (default ${DEFAULT_RUN.nsamples})` },
    panel: { testId: 'nsamples', step: 1, min: 1 },
  },
  {
    key: 'seqlen',
    hash: 'seqlen',
    label: 'seqlen',
    type: { kind: 'int', min: 2 },
    help: 'Tokens per calibration window (the paper uses 2048). Longer windows give better statistics but cost more time and memory.',
    cli: { flag: 'seqlen', help: `tokens per calibration/eval window (default min(${DEFAULT_RUN.seqlen}, max_position_embeddings))` },
    panel: { testId: 'seqlen', step: 16, min: 2 },
  },
  {
    key: 'seed',
    hash: 'seed',
    label: 'seed',
    type: { kind: 'int', min: 0 },
    help: 'Seed of the calibration sampling (and of text generation). The same seed and settings reproduce the same run; it is part of the shareable URL.',
    cli: { flag: 'seed', help: `calibration sampling seed (default ${DEFAULT_RUN.seed})` },
    panel: { testId: 'seed', step: 1, min: 0 },
  },
  {
    key: 'calibration',
    hash: 'calib',
    label: 'calibration data',
    type: { kind: 'id' },
    help: 'The text the calibration windows are sampled from (a dataset id).',
    cli: { flag: 'calib', help: `calibration dataset id, read from <data-dir>/<id>.txt (default ${DEFAULT_RUN.calibration})` },
  },
  {
    key: 'evalDatasets',
    hash: 'eval',
    label: 'eval datasets',
    type: { kind: 'idList' },
    help: 'The texts perplexity is measured on, before and after pruning.',
    cli: { flag: 'eval', help: `comma-separated eval dataset ids (default ${DEFAULT_RUN.evalDatasets.join(',')}); "none" to skip` },
  },
  {
    key: 'evalWindows',
    hash: 'evalwin',
    label: 'eval windows',
    type: { kind: 'int', min: 0 },
    help: 'Perplexity is measured on this many windows of the evaluation text before and after pruning. 0 = the whole text (the paper protocol; slow in a browser).',
    cli: { flag: 'eval-windows', help: 'evaluate only the first K windows of each eval set (default 0 = all, the protocol number)' },
    panel: { testId: 'evalwin', step: 1, min: 0 },
  },
  {
    key: 'besa.granularity',
    hash: 'gran',
    label: 'granularity',
    methods: besaOnly,
    type: {
      kind: 'enum',
      choices: [
        { value: 'row', label: 'row-wise' },
        { value: 'layer', label: 'layer-wise' },
      ],
    },
    help: 'Row-wise (paper default): every output row learns its own sparsity. Layer-wise: one learned sparsity per linear layer.',
    cli: { flag: 'layerwise', sets: 'layer', help: 'BESA: one θ per linear instead of per output row (spec §1.3)' },
    panel: { testId: 'granularity' },
  },
  {
    key: 'besa.lambda',
    hash: 'lambda',
    label: 'λ (penalty)',
    methods: besaOnly,
    type: { kind: 'number', min: 0 },
    help: "How strongly the loss pulls the block's sparsity towards the target: L = reconstruction error + λ·((s − target)/target)². The reference uses 5.",
    cli: { flag: 'lambda', help: `BESA sparsity penalty weight (default ${DEFAULT_BESA.lambda})` },
    panel: { testId: 'lambda', step: 0.5, min: 0 },
  },
  {
    key: 'besa.candidateStep',
    hash: 'cstep',
    label: 'candidate step',
    methods: besaOnly,
    type: { kind: 'number', min: 0, max: 1, minOpen: true },
    help: 'Spacing of the candidate sparsities each row chooses among (0.01 → 101 candidates 0.00 … 1.00).',
    panel: { testId: 'cstep', step: 0.01, min: 0.01, max: 0.5 },
  },
  {
    key: 'besa.optimizer',
    hash: 'opt',
    label: 'optimiser',
    methods: besaOnly,
    type: {
      kind: 'enum',
      choices: [
        { value: 'prodigy', label: 'Prodigy' },
        { value: 'adam', label: 'Adam' },
      ],
    },
    help: "Prodigy adapts its own step size (the reference's choice, lr 1). Adam uses a fixed learning rate.",
    cli: { flag: 'optimizer', help: 'BESA optimiser: prodigy (default) or adam' },
    panel: { testId: 'optimizer' },
  },
  {
    key: 'besa.dCoef',
    hash: 'dcoef',
    label: 'd_coef',
    methods: besaOnly,
    activeWhen: (c) => c.besa.optimizer === 'prodigy',
    type: { kind: 'number', min: 0, minOpen: true },
    help: "Prodigy's step-size multiplier. Larger moves the sparsities faster (reference: 5 for row-wise 7B/13B).",
    cli: { flag: 'd-coef', help: `BESA Prodigy d_coef (default ${DEFAULT_BESA.dCoef})` },
    panel: { testId: 'dcoef', step: 0.5, min: 0.01 },
  },
  {
    key: 'besa.adamLr',
    hash: 'lr',
    label: 'Adam lr',
    methods: besaOnly,
    activeWhen: (c) => c.besa.optimizer === 'adam',
    type: { kind: 'number', min: 0, minOpen: true },
    help: "Adam's learning rate for the sparsity logits θ (reference: 0.01).",
    cli: { flag: 'adam-lr', help: `BESA Adam learning rate (default ${DEFAULT_BESA.adamLr})` },
    panel: { testId: 'adamlr', step: 0.001, min: 0 },
  },
  {
    key: 'besa.epochs',
    hash: 'epochs',
    label: 'epochs',
    methods: besaOnly,
    type: { kind: 'int', min: 1 },
    help: 'Passes over the calibration samples per block (the reference makes 1).',
    cli: { flag: 'epochs', help: `BESA passes over the calibration samples (default ${DEFAULT_BESA.epochs})` },
  },
  {
    key: 'besa.sigmoid',
    hash: 'sigmoid',
    label: 'sigmoid',
    methods: besaOnly,
    type: { kind: 'bool' },
    help: "On (reference): probabilities are softmax(sigmoid θ), which keeps every row's sparsity between about 0.38 and 0.62 — a strong built-in brake. Off: softmax(θ), rows may go anywhere in 0…1.",
    cli: { flag: 'no-sigmoid', sets: false, help: 'BESA: p = softmax(θ) instead of softmax(sigmoid θ); needed for targets above ~0.62' },
    panel: { testId: 'sigmoid' },
  },
  {
    key: 'besa.target',
    hash: 'target',
    label: 'target output',
    methods: besaOnly,
    type: {
      kind: 'enum',
      choices: [
        { value: 'pruned-input', label: 'dense block on pruned inputs' },
        { value: 'dense-chain', label: 'dense model chain' },
      ],
    },
    help: "What the pruned block must reproduce: the dense block on the pruned model's inputs (reference row-wise runs), or the fully dense model's activations (layer-wise runs in the reference).",
    cli: {
      flag: 'dense-target',
      sets: 'dense-chain',
      help: 'BESA: reconstruct the dense-chain output (spec §1.6 --prune-dense) instead of the dense block on pruned inputs',
    },
    panel: {},
  },
  {
    key: 'besa.importance',
    hash: 'imp',
    label: 'importance',
    methods: besaOnly,
    type: {
      kind: 'enum',
      choices: [
        { value: 'wanda', label: '|w|·‖x‖ (Wanda)' },
        { value: 'weight', label: '|w|' },
      ],
    },
    help: "How weights are ranked within a row before BESA chooses how many to drop: Wanda's |w|·‖x‖ (reference) or plain |w|.",
    cli: { flag: 'weight-importance', sets: 'weight', help: 'BESA: sort by |W| instead of the Wanda metric' },
    panel: {},
  },
  {
    key: 'besa.finalMask',
    hash: 'fmask',
    label: 'final mask',
    methods: besaOnly,
    type: {
      kind: 'enum',
      choices: [
        { value: 'match-target', label: 'match target exactly' },
        { value: 'reference', label: 'reference (floor)' },
      ],
    },
    help: 'How the learned row sparsities become the final mask. Match target: the same allocation, rounded so each block prunes exactly the target fraction. Reference: floor(s·C) per row as the released code, which lands a little under the target (soft penalty, rounding down).',
    cli: {
      flag: 'reference-mask',
      sets: 'reference',
      help: 'BESA: final mask floor(s_row·C) exactly as the released code (lands under the target) instead of rounding the learned allocation to hit it',
    },
    panel: { testId: 'finalmask' },
  },
  {
    key: 'magnitudeGranularity',
    hash: 'maggran',
    label: 'compare within',
    methods: ['magnitude'],
    type: {
      kind: 'enum',
      choices: [
        { value: 'layer', label: 'whole layer' },
        { value: 'row', label: 'each row' },
      ],
    },
    help: 'Layer: the smallest weights of the whole layer go. Row: the same fraction from every output row.',
    cli: { flag: 'magnitude-rows', sets: 'row', help: 'magnitude: per-row threshold instead of one per layer' },
    panel: {},
  },
  {
    key: 'sparsegptPercdamp',
    hash: 'damp',
    label: 'damping',
    methods: ['sparsegpt'],
    type: { kind: 'number', min: 0 },
    help: 'Fraction of the mean Hessian diagonal added before inverting it (numerical stability; reference 0.01).',
    cli: { flag: 'percdamp', help: `SparseGPT damping (default ${DEFAULT_RUN.sparsegptPercdamp})` },
    panel: { step: 0.005, min: 0 },
  },
  {
    key: 'sparsegptBlocksize',
    hash: 'sgbs',
    label: 'column block',
    methods: ['sparsegpt'],
    type: { kind: 'int', min: 1 },
    help: 'SparseGPT prunes and compensates this many columns at a time (reference 128).',
    cli: { flag: 'blocksize', help: `SparseGPT column block (default ${DEFAULT_RUN.sparsegptBlocksize})` },
  },
];
