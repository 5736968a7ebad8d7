import type { ComponentChildren } from 'preact';

/** A status line screen readers announce; `error` ones are alerts. */
export function Notice({ kind = 'info', children }: { kind?: 'info' | 'ok' | 'error'; children: ComponentChildren }) {
  return (
    <p class={`notice notice-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </p>
  );
}
