// src/gpu/device.ts `lost`: our own destroy() (teardown) is not a loss, the test-only
// simulateDeviceLoss() is, and after it the device really stops working (what the studio's
// e2e/studio-device-loss.spec.ts relies on to exercise the Worker's device-lost path).
import { describe, expect, it } from 'vitest';
import { simulateDeviceLoss } from '../../src/gpu/device';
import { DeviceLostError } from '../../src/gpu/errors';
import { acquireNodeDevice } from '../../src/gpu/node';
import { GpuRuntime } from '../../src/gpu/runtime';

describe('device loss reporting', () => {
  it('a plain destroy() resolves lost with null (teardown is not a loss)', async () => {
    const a = await acquireNodeDevice();
    a.device.destroy();
    expect(await a.lost).toBeNull();
  });

  it('simulateDeviceLoss() reports a DeviceLostError and later GPU work fails', async () => {
    const rt = new GpuRuntime(await acquireNodeDevice());
    const buf = rt.upload(new Float32Array([1, 2, 3]), 'x');
    expect(Array.from(await rt.read(buf, 12))).toEqual([1, 2, 3]); // works before
    simulateDeviceLoss(rt.device);
    const err = await rt.lost;
    expect(err).toBeInstanceOf(DeviceLostError);
    expect(err!.message).toContain('simulated loss');
    expect(err!.message).toContain('reload the page');
    await expect(rt.read(buf, 12)).rejects.toThrow();
  });
});
