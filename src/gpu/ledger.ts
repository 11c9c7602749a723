// Allocation ledger: every GPU buffer the runtime creates is recorded here so the studio can show
// live and peak GPU bytes and the run report can record the peak (docs/architecture.md §6: memory accounting).

export interface LedgerSnapshot {
  liveBytes: number;
  peakBytes: number;
  liveBuffers: number;
  byLabel: Record<string, number>;
}

export class AllocationLedger {
  private live = new Map<GPUBuffer, { bytes: number; label: string }>();
  private liveBytes = 0;
  private peakBytes = 0;

  track(buffer: GPUBuffer, bytes: number, label: string): void {
    this.live.set(buffer, { bytes, label });
    this.liveBytes += bytes;
    if (this.liveBytes > this.peakBytes) this.peakBytes = this.liveBytes;
  }

  release(buffer: GPUBuffer): void {
    const entry = this.live.get(buffer);
    if (!entry) return;
    this.live.delete(buffer);
    this.liveBytes -= entry.bytes;
  }

  /** Start a new peak measurement from the current live bytes (e.g. at the start of a run). */
  resetPeak(): void {
    this.peakBytes = this.liveBytes;
  }

  snapshot(): LedgerSnapshot {
    const byLabel: Record<string, number> = {};
    for (const { bytes, label } of this.live.values()) {
      const key = label.split(':')[0] ?? label;
      byLabel[key] = (byLabel[key] ?? 0) + bytes;
    }
    return { liveBytes: this.liveBytes, peakBytes: this.peakBytes, liveBuffers: this.live.size, byLabel };
  }
}
