import { useState } from 'react';
import { useStore } from 'zustand';
import { configStore } from '../store/configStore';
import { generateTexts } from '../store/actions';
import { uiStore } from '../store/uiStore';

/** Side-by-side continuations of one prompt: dense and each given pruned run, same seed and sampling. */
export function GenerationPanel({ runIds, testId = 'generation' }: { runIds: string[]; testId?: string }) {
  const [prompt, setPrompt] = useState('The state of our union is');
  const [n, setN] = useState(40);
  const gens = useStore(uiStore, (s) => s.generations);
  const busy = useStore(uiStore, (s) => s.busy);
  const seed = useStore(configStore, (s) => s.config.seed);
  return (
    <div className="generation" data-testid={testId}>
      <div className="gen-controls">
        <input
          className="prompt"
          aria-label="Prompt"
          value={prompt}
          onChange={(e) => setPrompt(e.target.value)}
          title="The prompt every model continues."
        />
        <label title="New tokens to generate.">
          tokens{' '}
          <input
            type="number"
            value={n}
            min={1}
            max={200}
            onChange={(e) => setN(Math.max(1, Math.min(200, Number(e.target.value) || 1)))}
          />
        </label>
        <button
          type="button"
          data-testid="generate"
          disabled={busy !== null || runIds.length === 0}
          onClick={() => void generateTexts(prompt, n, runIds)}
          title={`Continue the prompt with the dense model and each pruned model: temperature 0.8, top-p 0.95, seed ${seed} for all.`}
        >
          {busy === 'generating' ? 'Generating…' : 'Generate'}
        </button>
      </div>
      {gens && (
        <div
          className="gen-grid"
          data-testid="generations"
          data-json={JSON.stringify(gens.items.map((g) => ({ label: g.label, tokens: g.tokens })))}
        >
          {gens.items.map((g) => (
            <div key={g.label + (g.runId ?? '')} className="gen">
              <h4>{g.label}</h4>
              <p>
                <b>{gens.prompt}</b>
                {g.text}
              </p>
            </div>
          ))}
        </div>
      )}
    </div>
  );
}
