// Named errors for everything that can go wrong while loading a model, its config or its tokenizer.
// Every parser in src/model/ throws only ModelLoadError subclasses (the fuzz test checks this), and
// every message says what is wrong AND what the user can do about it (docs/architecture.md §8, "Errors").

export class ModelLoadError extends Error {
  override name = 'ModelLoadError';
  /** The file the problem was found in ('' when it is not about one file). */
  readonly file: string;

  constructor(file: string, message: string) {
    super(file ? `${file}: ${message}` : message);
    this.file = file;
  }
}

/** The file ends before the data its own header announces. */
export class TruncatedFileError extends ModelLoadError {
  override name = 'TruncatedFileError';
  constructor(file: string, need: number, have: number, what = 'data') {
    super(
      file,
      `file is truncated: ${what} needs ${need} bytes but only ${have} are present. ` +
        `The download or copy was probably interrupted; fetch the file again.`,
    );
  }
}

/** The bytes do not follow the format (bad JSON, bad offsets, impossible header values...). */
export class CorruptFileError extends ModelLoadError {
  override name = 'CorruptFileError';
  constructor(file: string, problem: string, hint = 'The file is damaged or is not in the expected format; re-export or re-download it.') {
    super(file, `${problem}. ${hint}`);
  }
}

/** A Git LFS pointer (a ~130-byte text stub) where the weights should be: the repository was cloned without LFS. */
export class LfsPointerError extends ModelLoadError {
  override name = 'LfsPointerError';
  constructor(file: string, size: number | null) {
    super(
      file,
      `this is a Git LFS pointer, not the weights${size !== null ? ` (the real file is ${size} bytes)` : ''}. ` +
        'Fetch the real file: run `git lfs pull` in the clone, or download it from the model page.',
    );
  }
}

/** If `bytes` is a Git LFS pointer file, throw LfsPointerError (checked before any format parser). */
export function refuseLfsPointer(file: string, bytes: Uint8Array): void {
  if (bytes.length > 1024) return;
  const text = new TextDecoder().decode(bytes);
  if (!text.startsWith('version https://git-lfs.github.com/spec/')) return;
  const size = /^size (\d+)$/m.exec(text);
  throw new LfsPointerError(file, size ? Number(size[1]) : null);
}

/** A safetensors header length that cannot be right (larger than the file or than the sane limit). */
export class HeaderTooLargeError extends ModelLoadError {
  override name = 'HeaderTooLargeError';
  constructor(file: string, headerLen: number | bigint, limit: number) {
    super(
      file,
      `safetensors header claims ${headerLen} bytes, more than the ${limit} allowed. ` +
        `This is not a valid .safetensors file (or it is truncated); check that you picked the right file.`,
    );
  }
}

export class UnknownDtypeError extends ModelLoadError {
  override name = 'UnknownDtypeError';
  constructor(file: string, tensor: string, dtype: string, supported: readonly string[]) {
    super(
      file,
      `tensor "${tensor}" has dtype ${JSON.stringify(dtype)}, which cannot be loaded as weights. ` +
        `Supported: ${supported.join(', ')}. Convert the checkpoint to float32/float16/bfloat16 ` +
        `(quantized checkpoints are not supported).`,
    );
  }
}

export class MissingTensorError extends ModelLoadError {
  override name = 'MissingTensorError';
  constructor(file: string, tensor: string, hint = 'Check that the checkpoint matches config.json and is complete (all shards present).') {
    super(file, `tensor "${tensor}" is missing. ${hint}`);
  }
}

export class TensorShapeError extends ModelLoadError {
  override name = 'TensorShapeError';
  constructor(file: string, tensor: string, expected: readonly number[], got: readonly number[]) {
    super(
      file,
      `tensor "${tensor}" has shape [${got.join(', ')}] but config.json implies [${expected.join(', ')}]. ` +
        `The weights and config.json come from different models; use the config.json shipped with these weights.`,
    );
  }
}

export class UnsupportedModelTypeError extends ModelLoadError {
  override name = 'UnsupportedModelTypeError';
  constructor(file: string, what: string, supported: readonly string[]) {
    super(file, `${what} is not supported. Supported: ${supported.join(', ')}. Pick a model of one of these types.`);
  }
}

/** A config.json field has a value this engine cannot honour (missing, wrong type, unsupported option). */
export class ConfigError extends ModelLoadError {
  override name = 'ConfigError';
  constructor(file: string, field: string, problem: string, hint: string) {
    super(file, `field "${field}" ${problem}. ${hint}`);
  }
}

export class TokenizerMismatchError extends ModelLoadError {
  override name = 'TokenizerMismatchError';
  constructor(file: string, tokenizerVocab: number, modelVocab: number, detail = '') {
    super(
      file,
      `the tokenizer has ${tokenizerVocab} tokens${detail} but the model's vocabulary has ${modelVocab}. ` +
        `The tokenizer belongs to a different model; load the tokenizer that was shipped with these weights.`,
    );
  }
}

/** A file the format requires is not in the folder / selection / URL base. */
export class MissingFileError extends ModelLoadError {
  override name = 'MissingFileError';
  constructor(file: string, hint: string) {
    super(file, `file not found. ${hint}`);
  }
}

/** Nothing in the selection looks like a model we can read. */
export class UnrecognizedModelError extends ModelLoadError {
  override name = 'UnrecognizedModelError';
  constructor(files: readonly string[]) {
    super(
      '',
      `no model found among [${files.slice(0, 20).join(', ')}${files.length > 20 ? ', ...' : ''}]. ` +
        `Select a Hugging Face folder (config.json + *.safetensors + tokenizer.json) or a llama2.c ` +
        `checkpoint (.bin) together with its tokenizer.bin.`,
    );
  }
}

/** Several llama2.c checkpoints side by side: loading one of them silently would be a guess. */
export class AmbiguousModelFileError extends ModelLoadError {
  override name = 'AmbiguousModelFileError';
  constructor(candidates: readonly string[]) {
    super(
      '',
      `several checkpoint files: ${candidates.join(', ')}. Say which one: give the file itself ` +
        `(CLI: --model folder/${candidates[0]}), or select only that file and its tokenizer.bin.`,
    );
  }
}

/** A model cannot be written in the requested format (export: config.json, safetensors, llama2.c .bin). */
export class ModelExportError extends Error {
  override name = 'ModelExportError';
  constructor(writer: string, message: string) {
    super(`${writer}: ${message}`);
  }
}
