import { createStore } from './state/store.js';

// Path routing with the History API; the node answers every app path with index.html (SPA fallback).

/** `/chat/` and `/chat` are the same page. */
const clean = (path: string): string => (path.length > 1 ? path.replace(/\/+$/, '') || '/' : path);

export const route = createStore<string>(clean(location.pathname));

export function navigate(path: string): void {
  if (path === location.pathname) return;
  history.pushState(null, '', path);
  route.set(clean(location.pathname));
  // Move focus to the new page's heading so keyboard and screen-reader users land on it.
  queueMicrotask(() => document.getElementById('main')?.focus());
}

addEventListener('popstate', () => route.set(clean(location.pathname)));

/** A click on an in-app <a> becomes a navigation without reload; modified clicks keep browser behaviour. */
export function onLinkClick(event: MouseEvent): void {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const anchor = (event.target as Element | null)?.closest('a');
  if (!anchor || anchor.target || anchor.hasAttribute('download') || anchor.dataset.external !== undefined) return;
  const url = new URL(anchor.href, location.href);
  if (url.origin !== location.origin || !APP_PATHS.has(clean(url.pathname))) return;
  event.preventDefault();
  navigate(clean(url.pathname));
}

export const APP_PATHS = new Set(['/', '/login', '/signup', '/account', '/chat', '/dashboard', '/explain', '/learn', '/federation/problem', '/admin/providers', '/admin', '/verify-email', '/forgot-password', '/reset-password', '/device']);
