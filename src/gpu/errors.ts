// Named GPU errors. Each message says what happened and what the user can change.

export class GpuError extends Error {
  override name = 'GpuError';
  constructor(message: string) {
    super(message);
  }
}

export class WebGpuUnavailableError extends GpuError {
  override name = 'WebGpuUnavailableError';
  constructor(detail = '') {
    super(
      'WebGPU is not available in this environment. Use a browser with WebGPU enabled: Chrome or Edge 113+ ' +
        '(on Linux start Chromium with --enable-unsafe-webgpu), Safari 26+, or Firefox 141+ on Windows. ' +
        'In Node, install the `webgpu` package.' +
        (detail ? ` (${detail})` : ''),
    );
  }
}

export class NoAdapterError extends GpuError {
  override name = 'NoAdapterError';
  constructor(detail = '') {
    super(
      'No WebGPU adapter was found. In a browser, check chrome://gpu and enable WebGPU ' +
        '(--enable-unsafe-webgpu on Linux). In Node, install libvulkan1 and a Vulkan driver and set ' +
        'VK_ICD_FILENAMES (e.g. /usr/lib/chromium/vk_swiftshader_icd.json from Debian chromium).' +
        (detail ? ` (${detail})` : ''),
    );
  }
}

export class BufferTooLargeError extends GpuError {
  override name = 'BufferTooLargeError';
  constructor(
    readonly label: string,
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(
      `Buffer "${label}" needs ${fmtBytes(bytes)} but this GPU allows at most ${fmtBytes(limit)} per ` +
        'storage binding (maxStorageBufferBindingSize). Use a smaller model, a shorter sequence length, ' +
        'or a GPU with a larger limit.',
    );
  }
}

export class DeviceLostError extends GpuError {
  override name = 'DeviceLostError';
  constructor(reason: string, detail: string) {
    super(
      `The GPU device was lost (${reason}: ${detail}). Finished blocks are kept: reload the page (studio) ` +
        'or rerun with --resume (CLI) to continue from the last completed block.',
    );
  }
}

export class GpuValidationError extends GpuError {
  override name = 'GpuValidationError';
  constructor(where: string, detail: string) {
    super(`WebGPU validation failed in ${where}: ${detail}`);
  }
}

/**
 * A WebGPU error that no error scope caught (validation, out-of-memory or internal), found at the end of a
 * run phase (docs/reliability.md): the phase's results are not trusted, so the run stops there.
 */
export class GpuRunError extends GpuError {
  override name = 'GpuRunError';
  constructor(
    readonly phase: string,
    readonly kind: UncapturedKind,
    detail: string,
  ) {
    const first = detail.split('\n')[0];
    const advice =
      kind === 'out-of-memory'
        ? 'Lower the calibration samples or sequence length, or pick a smaller model.'
        : 'This is a bug or a driver fault: please report it with the adapter line from the header.';
    super(`${phase}: WebGPU ${kind} error (${first}). The run stopped before committing this block; finished blocks are kept. ${advice}`);
  }
}

export type UncapturedKind = 'validation' | 'out-of-memory' | 'internal';

/** A kernel asked for a shader before the sources were registered (shaderSources.ts). */
export class ShaderNotRegisteredError extends GpuError {
  override name = 'ShaderNotRegisteredError';
  constructor(shader: string, known: readonly string[]) {
    super(
      `Shader "${shader}.wgsl" is not registered. Known: ${known.join(', ') || '(none)'}. ` +
        'Import src/gpu/shaderSourcesBrowser.ts (browser) or call loadShadersFromDisk() (Node) first.',
    );
  }
}

/** Kernel wrappers throw the CPU ops' ShapeError (one class for every layer). */
export { ShapeError } from '../core/errors';

export function fmtBytes(n: number): string {
  if (n >= 1 << 30) return `${(n / (1 << 30)).toFixed(2)} GiB`;
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)} KiB`;
  return `${n} B`;
}
