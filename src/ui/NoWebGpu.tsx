// What the studio says when WebGPU is missing. With the WASM engine the studio still works, so the
// usual case is a notice above it (NoWebGpuNotice); the full page (NoWebGpu) is left for a Worker
// that could not start at all.

function HowToEnable() {
  return (
    <>
      <p>WebGPU is available in:</p>
      <ul>
        <li>Chrome or Edge 113 and newer on Windows, macOS and ChromeOS (enabled by default).</li>
        <li>
          Chrome / Chromium on Linux: start it with <code>--enable-unsafe-webgpu</code> (and, on machines without a GPU driver, it falls
          back to the SwiftShader software adapter — slow but correct).
        </li>
        <li>Safari 26 and newer on macOS and iOS; Firefox 141 and newer on Windows.</li>
      </ul>
      <p>
        Check <code>chrome://gpu</code> for “WebGPU: Hardware accelerated”.
      </p>
    </>
  );
}

/** Shown above the studio when the Worker found no WebGPU device and runs on WASM or the CPU. */
export function NoWebGpuNotice({ reason, wasm }: { reason: string; wasm: boolean }) {
  return (
    <div className="notice warn" role="status" data-testid="no-webgpu-notice">
      <p>
        <b>No WebGPU here</b> ({reason}). The studio runs on the{' '}
        {wasm ? 'WASM engine: SIMD products on your CPU, fine for the bundled models' : 'CPU reference engine: slow, for tiny models only'};
        every method and chart works the same.
      </p>
      <details>
        <summary>How to get WebGPU</summary>
        <HowToEnable />
      </details>
    </div>
  );
}

/** The whole page when the engine Worker failed to start (nothing can run). */
export function NoWebGpu({ reason }: { reason: string }) {
  return (
    <main className="no-webgpu" data-testid="no-webgpu">
      <h1>BESA Studio could not start its engine</h1>
      <p>{reason}</p>
      <p>
        The studio prunes models in a Web Worker, on your GPU with WebGPU or on your CPU with WebAssembly SIMD. Use a current Chrome, Edge,
        Safari or Firefox.
      </p>
      <HowToEnable />
      <p>Nothing was uploaded anywhere: everything runs locally.</p>
    </main>
  );
}
