import { useCallback, useEffect, useState } from 'preact/hooks';
import { api } from '../api/client.js';
import type { ApiError } from '../api/types.js';

// A GET the page depends on. `missing` (404/405) means the node does not have this endpoint yet —
// other engineers are still adding some — and the section using it hides itself.

export type EndpointState<T> =
  | { status: 'loading' }
  | { status: 'missing' }
  | { status: 'error'; error: ApiError; code: number }
  | { status: 'ok'; data: T };

export function useEndpoint<T>(path: string | null, deps: unknown[] = []): [EndpointState<T>, () => void] {
  const [state, setState] = useState<EndpointState<T>>({ status: 'loading' });
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  useEffect(() => {
    if (!path) return;
    let live = true;
    void api<T>('GET', path).then((result) => {
      if (!live) return;
      if (result.ok) setState({ status: 'ok', data: result.data as T });
      else if (result.status === 404 || result.status === 405) setState({ status: 'missing' });
      else setState({ status: 'error', error: result.error!, code: result.status });
    });
    return () => {
      live = false;
    };
  }, [path, tick, ...deps]);
  return [state, reload];
}
