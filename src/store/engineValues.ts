// The few engine values the UI needs at runtime. src/ui may import engine modules only with
// `import type` (eslint.config.js layer rules), so constants and pure helpers reach it through here:
// one place that shows what the UI depends on in the engine.
export { allocationCsv } from '../prune/report';
// The llm-compressor recipe download (docs/exports.md §4): a pure function of the run report.
export { llmCompressorRecipe, RecipeError } from '../prune/recipe';
// The method registry and the run-config schema drive the method panel's menus, labels and hover help.
export { METHODS, methodOf, structureFor } from '../prune/methods/registry';
export { CONFIG_FIELDS, decodeSetting, fieldApplies, fieldByKey, getSetting, type ConfigField } from '../prune/configSchema';
// The engine menu (method panel) lists the engine requests the CLI's --engine takes.
export { ENGINE_REQUESTS } from '../prune/engineChoice';
// The memory verdict before Run names the buffers a WebGPU run could not bind (src/gpu/limits.ts).
export { adapterLimitProblems } from '../gpu/limits';
