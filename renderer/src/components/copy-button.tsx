import { useEffect, useState } from 'react';

/**
 * Copies a value (a SHA-256, a URL) exactly, so an investigator never retypes a hash.
 * Says "Copied" for a moment, or why it could not copy.
 */
export function CopyButton({ value, label = 'Copy', testId }: { value: string; label?: string; testId?: string }) {
  const [status, setStatus] = useState<'idle' | 'copied' | 'failed'>('idle');

  useEffect(() => {
    if (status === 'idle') return;
    const timer = window.setTimeout(() => setStatus('idle'), 1600);
    return () => window.clearTimeout(timer);
  }, [status]);

  async function copy(): Promise<void> {
    try {
      await navigator.clipboard.writeText(value);
      setStatus('copied');
    } catch {
      setStatus('failed');
    }
  }

  return (
    <button
      type="button"
      className="button button--small button--quiet copy-button"
      onClick={() => void copy()}
      data-testid={testId}
      data-copy-value={value}
      aria-label={`${label}: ${value}`}
      title={status === 'failed' ? 'The browser refused clipboard access; select the text instead.' : `Copy ${value}`}
    >
      <span aria-live="polite">{status === 'copied' ? 'Copied' : status === 'failed' ? 'Not copied' : label}</span>
    </button>
  );
}
