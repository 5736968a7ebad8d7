// oidc-provider warns about the Node.js release when its module loads. Every command that touches the
// store loads it with the rest of the app, but only `gatehouse serve` (also each node of `gatehouse up`)
// runs the authorization server the warning is about: the others drop that one line while loading.
const RUNTIME_WARNING = 'oidc-provider WARNING: Unsupported runtime';

/** Which commands serve OAuth, and so keep oidc-provider's runtime warning. */
export const SERVES_OAUTH: ReadonlySet<string> = new Set(['serve']);

export async function withoutRuntimeWarning<T>(load: () => Promise<T>): Promise<T> {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].includes(RUNTIME_WARNING)) return;
    warn(...args);
  };
  try {
    return await load();
  } finally {
    console.warn = warn;
  }
}
