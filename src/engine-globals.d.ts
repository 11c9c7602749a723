// Host globals the engine relies on (tsconfig.engine.json only). The engine runs in a Web Worker and
// in Node >= 20, so it is typechecked against ES2023 + @webgpu/types without DOM or @types/node; the
// ES lib has none of the APIs below, which both hosts provide. Each is declared with only the members
// the engine uses, so reaching for anything else (document, window, Buffer, process, node:fs) fails
// the engine typecheck. In the browser/worker/Node projects the real lib types apply instead.

declare const performance: { now(): number };
declare function setTimeout(handler: () => void, timeout?: number): unknown;
declare function structuredClone<T>(value: T): T;

declare class TextEncoder {
  encode(input?: string): Uint8Array<ArrayBuffer>;
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean });
  decode(input?: ArrayBuffer | ArrayBufferView): string;
}

/** WebCrypto: only SHA-256 digests of model files (src/model/loader.ts). */
declare const crypto: {
  readonly subtle: { digest(algorithm: 'SHA-256', data: ArrayBuffer | ArrayBufferView<ArrayBuffer>): Promise<ArrayBuffer> };
};

/** Cancellation of runs (src/prune/pipeline.ts, controller.ts). */
interface AbortSignal {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** Model files picked in the browser (src/model/sources.ts browserFilesSource; Node 20 has File too). */
interface File {
  readonly name: string;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** fetch() of model files from a URL base or a hub (src/model/sources.ts urlSource, src/model/hub.ts). */
interface Response {
  readonly ok: boolean;
  readonly status: number;
  readonly statusText: string;
  readonly headers: { get(name: string): string | null };
  readonly body: { getReader(): { read(): Promise<{ done: boolean; value: Uint8Array }> } } | null;
  arrayBuffer(): Promise<ArrayBuffer>;
  json(): Promise<unknown>;
}
declare function fetch(
  input: string,
  init?: { method?: string; signal?: AbortSignal; headers?: Record<string, string> },
): Promise<Response>;

/** Parsing hub URLs (src/model/hub.ts). */
declare class URL {
  constructor(url: string);
  readonly origin: string;
  readonly pathname: string;
}

/** Base64 of the compiled WASM kernels (src/wasm/kernels.ts). */
declare function atob(data: string): string;
