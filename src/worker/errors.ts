// Named errors for requests the Worker cannot serve in its current state. They reach the page as
// { errorName, message } (engine.worker.ts → client.ts), so each message tells the user what to do.

/** A request that needs a loaded model arrived before one was loaded. */
export class NoModelLoadedError extends Error {
  override name = 'NoModelLoadedError';
  constructor(what: string) {
    super(`No model is loaded, so ${what} is not possible; load one in the Model panel first.`);
  }
}

/** Another run holds the engine. */
export class RunInProgressError extends Error {
  override name = 'RunInProgressError';
  constructor(what: string) {
    super(`A run is in progress; cancel it or wait for it to finish before ${what}.`);
  }
}

/** Export, generation or a mask asked for a run this session does not hold. */
export class RunNotFoundError extends Error {
  override name = 'RunNotFoundError';
  constructor(detail: string) {
    super(detail);
  }
}

/** The generation prompt encodes to no tokens. */
export class EmptyPromptError extends Error {
  override name = 'EmptyPromptError';
  constructor() {
    super('The prompt is empty after tokenisation; type a few words.');
  }
}

/** A test-only request arrived while the test hooks were not armed. */
export class TestHooksDisabledError extends Error {
  override name = 'TestHooksDisabledError';
  constructor(request: string) {
    super(`${request} is a test-only request: open the studio with ?e2e-hooks=1 to arm it.`);
  }
}
