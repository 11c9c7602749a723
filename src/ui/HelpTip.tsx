import { useId, useState } from 'react';

/**
 * A "?" that explains a setting or a chart to everyone (issue #14): hover shows the title as before, and a tap,
 * a click or Enter/Space on the focused button opens the text below it (announced through aria-expanded and
 * aria-controls), so touch screens and screen readers reach it too.
 */
export function HelpTip({ label, help }: { label: string; help: string }) {
  const [open, setOpen] = useState(false);
  const id = useId();
  return (
    <>
      <button
        type="button"
        className="q"
        aria-label={`Help: ${label}`}
        aria-expanded={open}
        aria-controls={id}
        title={help}
        onClick={(e) => {
          e.preventDefault(); // inside a <label>: do not forward the click to the field
          setOpen(!open);
        }}
      >
        ?
      </button>
      <span id={id} className="help-note" role="note" hidden={!open}>
        {help}
      </span>
    </>
  );
}
