// The method panel: every control, label and hover help comes from the run-config schema
// (src/prune/configFields.ts) and the method registry, so the panel cannot drift from the URL and the CLI.
import type { ReactNode } from 'react';
import { useStore } from 'zustand';
import type { MethodName, RunConfig, Structure } from '../prune/config';
import { CONFIG_FIELDS, fieldApplies, fieldByKey, getSetting, methodOf, structureFor, type ConfigField } from '../store/engineValues';
import { configStore } from '../store/configStore';
import { runStore } from '../store/runStore';
import { EngineField } from './EngineField';
import { HelpTip } from './HelpTip';

/** A labelled control; the label's title is the plain-words explanation shown on hover. */
function Field({ label, help, children }: { label: string; help: string; children: ReactNode }) {
  return (
    // The help button sits outside the <label>: a button inside it would become the label's control.
    <div className="field" title={help}>
      <span className="flabel">
        <span aria-hidden>{label}</span> <HelpTip label={label} help={help} />
      </span>
      <label className="field-control">
        <span className="sr-only">{label}</span>
        {children}
      </label>
    </div>
  );
}

function NumberInput({
  value,
  onChange,
  step,
  min,
  max,
  testId,
}: {
  value: number;
  onChange: (v: number) => void;
  step: number;
  min?: number;
  max?: number;
  testId?: string;
}) {
  return (
    <input
      type="number"
      data-testid={testId}
      value={value}
      step={step}
      min={min}
      max={max}
      onChange={(e) => {
        const v = Number(e.target.value);
        if (e.target.value !== '' && Number.isFinite(v)) onChange(v);
      }}
    />
  );
}

/** One schema setting as a panel control (label, hover help, range and test id all from the schema). */
function SettingControl({ field: f, config: c }: { field: ConfigField; config: RunConfig }) {
  const { setSetting } = configStore.getState();
  const ui = f.panel!;
  const value = getSetting(c, f.key);
  const t = f.type;
  let control: ReactNode;
  if (t.kind === 'number' || t.kind === 'int') {
    // Integers are rounded and clamped to their minimum as typed; reals are validated when the run starts.
    const put = t.kind === 'int' ? (v: number) => setSetting(f.key, Math.max(t.min, Math.round(v))) : (v: number) => setSetting(f.key, v);
    control = <NumberInput testId={ui.testId} value={value as number} step={ui.step ?? 1} min={ui.min} max={ui.max} onChange={put} />;
  } else if (t.kind === 'bool') {
    control = (
      <input type="checkbox" data-testid={ui.testId} checked={value as boolean} onChange={(e) => setSetting(f.key, e.target.checked)} />
    );
  } else if (t.kind === 'enum') {
    control = (
      <select data-testid={ui.testId} value={value as string} onChange={(e) => setSetting(f.key, e.target.value)}>
        {t.choices.map((ch) => (
          <option key={ch.value} value={ch.value}>
            {ch.label}
          </option>
        ))}
      </select>
    );
  } else return null;
  return (
    <Field label={f.label} help={f.help}>
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
  return (
    <section className="panel method" data-learn="method" data-testid="method-panel">
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
          <Field label={STRUCTURE_FIELD.label} help={STRUCTURE_FIELD.help}>
            <select
              data-testid={STRUCTURE_FIELD.panel?.testId}
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
          <SettingControl key={f.key} field={f} config={c} />
        ))}
      </fieldset>
      <EngineField />
      <p className="muted small">Every setting is in the page URL: copy it to share or reproduce this run.</p>
    </section>
  );
}
