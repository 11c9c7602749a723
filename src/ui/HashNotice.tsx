import { useStore } from 'zustand';
import { configStore } from '../store/configStore';

/** What the page's link asked for that could not be used: named, with what is allowed and what was kept. */
export function HashNotice() {
  const problems = useStore(configStore, (s) => s.hashProblems);
  if (problems.length === 0) return null;
  return (
    <div className="notice warn" role="status" data-testid="hash-notice">
      <p>
        <b>{problems.length === 1 ? 'One setting' : `${problems.length} settings`} in the link could not be used</b> and{' '}
        {problems.length === 1 ? 'was' : 'were'} left at the studio's values:
      </p>
      <ul>
        {problems.map((p) => (
          <li key={p}>{p}</li>
        ))}
      </ul>
      <button type="button" onClick={() => configStore.getState().dismissHashProblems()} data-testid="hash-notice-dismiss">
        Dismiss
      </button>
    </div>
  );
}
