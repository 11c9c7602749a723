// Capability report: what the adapter is and which limits bound our buffer sizes. Shown in the
// studio's header, printed by the CLI and benchmarks, and stored in every run report.

export interface GpuCapabilities {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter: boolean;
  features: string[];
  limits: {
    maxStorageBufferBindingSize: number;
    maxBufferSize: number;
    maxComputeWorkgroupStorageSize: number;
    maxComputeInvocationsPerWorkgroup: number;
    maxComputeWorkgroupSizeX: number;
    maxComputeWorkgroupsPerDimension: number;
    maxStorageBuffersPerShaderStage: number;
    minStorageBufferOffsetAlignment: number;
  };
}

export function describeAdapter(adapter: GPUAdapter): GpuCapabilities {
  // adapter.info fields are prototype getters: copy them one by one (docs/webgpu-notes.md §10).
  const info = (adapter as GPUAdapter & { info?: GPUAdapterInfo }).info;
  const l = adapter.limits;
  const fallback = (adapter as GPUAdapter & { isFallbackAdapter?: boolean }).isFallbackAdapter;
  const infoFallback = (info as (GPUAdapterInfo & { isFallbackAdapter?: boolean }) | undefined)?.isFallbackAdapter;
  return {
    vendor: info?.vendor ?? '',
    architecture: info?.architecture ?? '',
    device: info?.device ?? '',
    description: info?.description ?? '',
    isFallbackAdapter: Boolean(infoFallback ?? fallback ?? false),
    features: [...adapter.features].map(String).sort(),
    limits: {
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
      maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
      maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
      minStorageBufferOffsetAlignment: l.minStorageBufferOffsetAlignment,
    },
  };
}

export function adapterLabel(c: GpuCapabilities): string {
  const name = [c.vendor, c.architecture, c.device, c.description].filter(Boolean).join(' / ');
  return `${name || 'unknown adapter'}${c.isFallbackAdapter ? ' (software fallback)' : ''}`;
}

/**
 * A CPU-emulated adapter (SwiftShader, lavapipe/llvmpipe, WARP): flagged by the browser as a fallback
 * adapter or, where it is not (Dawn in Node reports lavapipe as an ordinary device), named as one.
 * On these the WASM engine can be faster (src/prune/engineChoice.ts probes both).
 */
export function isSoftwareAdapter(c: GpuCapabilities): boolean {
  if (c.isFallbackAdapter) return true;
  const name = [c.vendor, c.architecture, c.device, c.description].join(' ');
  return /swiftshader|llvmpipe|lavapipe|softpipe|microsoft basic render|\bwarp\b/i.test(name);
}
