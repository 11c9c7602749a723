// The one ShapeError of the code base. It lives in src/core, the bottom layer, so the CPU ops, the
// GPU kernels (src/gpu/errors.ts re-exports it) and everything above can throw and catch the same
// class. Messages name the op, the operand and the dims to fix.

/** Raised when a buffer length or a dim does not fit the shape an op was called with. */
export class ShapeError extends Error {
  override name = 'ShapeError';
  constructor(message: string) {
    super(message);
  }
}
