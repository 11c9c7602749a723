// Device acquisition shared by the browser (navigator.gpu) and Node (the `webgpu` package, see
// node.ts which passes its GPU object in). We request the adapter's own limits for the bindings we
// rely on, so large tensors are bounded by what the hardware allows, not by WebGPU's defaults.
import { describeAdapter, type GpuCapabilities } from './capabilities';
import { DeviceLostError, NoAdapterError, WebGpuUnavailableError } from './errors';

export interface AcquiredDevice {
  adapter: GPUAdapter;
  device: GPUDevice;
  caps: GpuCapabilities;
  /** Resolves with a DeviceLostError when the device is lost for any reason other than our own destroy()
   *  (a simulateDeviceLoss() destroy counts as a loss). */
  lost: Promise<DeviceLostError | null>;
}

/** Devices destroyed by simulateDeviceLoss (a WeakSet: nothing is kept alive by it). */
const simulatedLoss = new WeakSet<GPUDevice>();

export async function acquireDevice(gpu?: GPU | null, powerPreference: GPUPowerPreference = 'high-performance'): Promise<AcquiredDevice> {
  // globalThis, not `navigator`: Node 20 has no navigator global and the engine is typed without DOM.
  const g = gpu ?? (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (!g) throw new WebGpuUnavailableError('navigator.gpu is undefined');
  const adapter = await g.requestAdapter({ powerPreference });
  if (!adapter) throw new NoAdapterError('requestAdapter() returned null');
  const want = [
    'maxStorageBufferBindingSize',
    'maxBufferSize',
    'maxComputeWorkgroupStorageSize',
    'maxComputeInvocationsPerWorkgroup',
    'maxComputeWorkgroupSizeX',
    'maxComputeWorkgroupSizeY',
    'maxStorageBuffersPerShaderStage',
  ] as const;
  const requiredLimits: Record<string, number> = {};
  for (const k of want) requiredLimits[k] = adapter.limits[k];
  const requiredFeatures: GPUFeatureName[] = [];
  if (adapter.features.has('timestamp-query')) requiredFeatures.push('timestamp-query');
  const device = await adapter.requestDevice({ requiredLimits, requiredFeatures });
  const lost = device.lost.then((info) => {
    if (simulatedLoss.has(device)) return new DeviceLostError('simulated loss', 'device.destroy() called by the test-only hook');
    return info.reason === 'destroyed' ? null : new DeviceLostError(String(info.reason), info.message);
  });
  return { adapter, device, caps: describeAdapter(adapter), lost };
}

/**
 * Test-only: make `device` really stop working (destroy(): every later submit/mapAsync fails, as after
 * a driver reset) AND report it through `lost` as a loss. A plain destroy() resolves device.lost with
 * reason 'destroyed', which `lost` maps to null on purpose (our own teardown is not a loss); the mark
 * set here is the only difference, so normal teardown is unchanged. Only the Worker's
 * 'test-lose-device' request calls this, and only when the page was opened with ?e2e-hooks=1.
 */
export function simulateDeviceLoss(device: GPUDevice): void {
  simulatedLoss.add(device);
  device.destroy();
}
