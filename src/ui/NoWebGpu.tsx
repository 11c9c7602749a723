// Shown instead of the studio when WebGPU is missing: says why and what works.
export function NoWebGpu({ reason }: { reason: string }) {
  return (
    <main className="no-webgpu" data-testid="no-webgpu">
      <h1>BESA Studio needs WebGPU</h1>
      <p>{reason}</p>
      <p>The studio prunes models on your own GPU with WebGPU compute shaders. It works in:</p>
      <ul>
        <li>Chrome or Edge 113 and newer on Windows, macOS and ChromeOS (enabled by default).</li>
        <li>
          Chrome / Chromium on Linux: start it with <code>--enable-unsafe-webgpu</code> (and, on machines without a GPU driver, it falls
          back to the SwiftShader software adapter — slow but correct).
        </li>
        <li>Safari 26 and newer on macOS and iOS; Firefox 141 and newer on Windows.</li>
      </ul>
      <p>
        Check <code>chrome://gpu</code> for “WebGPU: Hardware accelerated”. Nothing was uploaded anywhere: everything runs locally.
      </p>
    </main>
  );
}
