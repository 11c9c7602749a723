// Error names that survive minification. src/model/errors.ts and src/gpu/errors.ts set
// `this.name = new.target.name`, which the production build shortens to e.g. "ue"; the studio must
// show the real class name, so the Worker maps known classes to literal names before replying.
// (Asked the engine owners to set literal names; this table then becomes a no-op.)
import * as gpu from '../gpu/errors';
import * as model from '../model/errors';

const KNOWN: [new (...a: never[]) => Error, string][] = [
  [model.TruncatedFileError, 'TruncatedFileError'],
  [model.HeaderTooLargeError, 'HeaderTooLargeError'],
  [model.CorruptFileError, 'CorruptFileError'],
  [model.UnknownDtypeError, 'UnknownDtypeError'],
  [model.MissingTensorError, 'MissingTensorError'],
  [model.TensorShapeError, 'TensorShapeError'],
  [model.UnsupportedModelTypeError, 'UnsupportedModelTypeError'],
  [model.ConfigError, 'ConfigError'],
  [model.TokenizerMismatchError, 'TokenizerMismatchError'],
  [model.MissingFileError, 'MissingFileError'],
  [model.UnrecognizedModelError, 'UnrecognizedModelError'],
  [model.ModelLoadError, 'ModelLoadError'],
  [gpu.WebGpuUnavailableError, 'WebGpuUnavailableError'],
  [gpu.NoAdapterError, 'NoAdapterError'],
  [gpu.BufferTooLargeError, 'BufferTooLargeError'],
  [gpu.DeviceLostError, 'DeviceLostError'],
  [gpu.GpuValidationError, 'GpuValidationError'],
  [gpu.ShapeError, 'ShapeError'],
  [gpu.GpuError, 'GpuError'],
];

export function errorName(e: unknown): string {
  for (const [cls, name] of KNOWN) if (e instanceof cls) return name;
  return (e as Error)?.name ?? 'Error';
}
