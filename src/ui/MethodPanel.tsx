// The method panel: every control, label and hover help comes from the run-config schema
// (src/prune/configFields.ts) and the method registry, so the panel cannot drift from the URL and the CLI.
import { useRef, type ReactNode } from 'react';
import { useLearnHighlight } from './useLearnHighlight';
import { useStore } from 'zustand';
import type { MethodName, RunConfig, Structure } from '../prune/config';
import {
  CONFIG_FIELDS,
  decodeSetting,
  fieldApplies,
  fieldByKey,
  getSetting,
  methodOf,
  structureFor,
  type ConfigField,
} from '../store/engineValues';
import { useSettingProblems } from './useSettingProblems';
import { configStore } from '../store/configStore';
import { runStore } from '../store/runStore';
import { EngineField } from './EngineField';
import { HelpTip } from './HelpTip';

/** A labelled control with its help button, and the problem with its value when it has one. */
function Field({
  label,
  help,
  error,
  errorId,
  children,
}: {
  label: string;
  help: string;
  error?: string;
  errorId?: string;
  children: ReactNode;
}) {
  return (
    // The help button sits outside the <label>: a button inside it would become the label's control.
    <div className={error ? 'field invalid' : 'field'} title={help}>
      <span className="flabel">
        <span aria-hidden>{label}</span> <HelpTip label={label} help={help} />
      </span>
      <label className="field-control">
        <span className="sr-only">{label}</span>
        {children}
      </label>
      {error && (
        <span className="field-error" id={errorId} data-testid="field-error">
          {error}
        </span>
      )}
    </div>
  );
}

/** The props that tie a control to its error text (screen readers read it with the field). */
const invalidProps = (error: string | undefined, errorId: string) =>
  error ? { 'aria-invalid': true as const, 'aria-describedby': errorId } : {};

/** One schema setting as a panel control (label, hover help, range and test id all from the schema). */
function SettingControl({ field: f, config: c, error }: { field: ConfigField; config: RunConfig; error?: string }) {
  const { setSetting, setDraft } = configStore.getState();
  const draft = useStore(configStore, (s) => s.drafts[f.key]);
  const ui = f.panel!;
  const value = getSetting(c, f.key);
  const t = f.type;
  const errorId = `error-${f.hash}`;
  const aria = invalidProps(error, errorId);
  let control: ReactNode;
  if (t.kind === 'number' || t.kind === 'int') {
    // Validated as typed (issue #14): a value in range goes into the config; anything else stays a draft
    // that the field shows and marks, and the config keeps its last valid value.
    control = (
      <input
        type="number"
        data-testid={ui.testId}
        value={draft ?? String(value)}
        step={ui.step ?? 1}
        min={ui.min}
        max={ui.max}
        {...aria}
        onChange={(e) => {
          const v = decodeSetting(f, e.target.value.trim());
          if (v === null) setDraft(f.key, e.target.value);
          else setSetting(f.key, v);
        }}
      />
    );
  } else if (t.kind === 'bool') {
    control = (
      <input
        type="checkbox"
        data-testid={ui.testId}
        checked={value as boolean}
        {...aria}
        onChange={(e) => setSetting(f.key, e.target.checked)}
      />
    );
  } else if (t.kind === 'enum') {
    control = (
      <select data-testid={ui.testId} value={value as string} {...aria} onChange={(e) => setSetting(f.key, e.target.value)}>
        {t.choices.map((ch) => (
          <option key={ch.value} value={ch.value}>
            {ch.label}
          </option>
        ))}
      </select>
    );
  } else return null;
  return (
    <Field label={f.label} help={f.help} error={error} errorId={errorId}>
      {control}
    </Field>
  );
}

const METHOD_FIELD = fieldByKey('method');
const STRUCTURE_FIELD = fieldByKey('structure');
const choicesOf = (f: ConfigField) => (f.type.kind === 'enum' ? f.type.choices : []);

/** The "quick demo" preset (issue #14): a run of the default model in about a minute on a software adapter. */
const QUICK_DEMO = { nsamples: 16, seqlen: 128, evalWindows: 16 } as const;

export function MethodPanel() {
  const c = useStore(configStore, (s) => s.config);
  const { set } = configStore.getState();
  const running = useStore(runStore, (s) => s.status === 'running');
  const method = methodOf(c.method);
  const problems = useSettingProblems();
  const ref = useRef<HTMLElement>(null);
  const hl = useLearnHighlight('method', ref);
  /** The problems marked on one field (several rules can hold against one value). */
  const errorOf = (key: string) =>
    problems
      .filter((p) => p.key === key)
      .map((p) => p.text)
      .join('; ') || undefined;
  const structureError = errorOf('structure');
  return (
    <section ref={ref} className={`panel method${hl ? ' highlight' : ''}`} data-learn="method" data-testid="method-panel">
      <h2>
        Method{' '}
        <button
          type="button"
          className="link small"
          data-testid="quick-demo"
          disabled={running}
          onClick={() => set(QUICK_DEMO)}
          title={`Small settings that finish the default model in about a minute even without a GPU: ${QUICK_DEMO.nsamples} calibration samples of ${QUICK_DEMO.seqlen} tokens, ${QUICK_DEMO.evalWindows} perplexity windows. The method and sparsity stay as they are.`}
        >
          quick demo settings
        </button>
      </h2>
      <fieldset disabled={running} title={running ? 'Settings are locked while a run is in progress.' : undefined}>
        <Field label={METHOD_FIELD.label} help={method.help}>
          <select
            data-testid={METHOD_FIELD.panel?.testId}
            value={c.method}
            onChange={(e) => {
              const next = e.target.value as MethodName;
              set({ method: next, structure: structureFor(next, c.structure) }); // a pattern the new method lacks falls back to unstructured
            }}
          >
            {choicesOf(METHOD_FIELD).map((ch) => (
              <option key={ch.value} value={ch.value}>
                {ch.label}
              </option>
            ))}
          </select>
        </Field>
        {fieldApplies(STRUCTURE_FIELD, c) && (
          <Field label={STRUCTURE_FIELD.label} help={STRUCTURE_FIELD.help} error={structureError} errorId="error-nm">
            <select
              data-testid={STRUCTURE_FIELD.panel?.testId}
              {...invalidProps(structureError, 'error-nm')}
              value={c.structure}
              onChange={(e) => {
                const s = e.target.value as Structure;
                // N:M fixes the sparsity at N/M.
                set(
                  s === 'unstructured' ? { structure: s } : { structure: s, sparsity: Number(s.split(':')[0]) / Number(s.split(':')[1]) },
                );
              }}
            >
              {choicesOf(STRUCTURE_FIELD).map((ch) => (
                <option key={ch.value} value={ch.value}>
                  {ch.label}
                </option>
              ))}
            </select>
          </Field>
        )}
        {CONFIG_FIELDS.filter((f) => f.panel && f !== METHOD_FIELD && f !== STRUCTURE_FIELD && fieldApplies(f, c)).map((f) => (
          <SettingControl key={f.key} field={f} config={c} error={errorOf(f.key)} />
        ))}
      </fieldset>
      <EngineField />
      <p className="muted small">Every setting is in the page URL: copy it to share or reproduce this run.</p>
    </section>
  );
}
