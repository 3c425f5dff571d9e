/**
 * URL-held state: the path picks the screen, the query string holds the range, comparison, table sort,
 * search and cursor, so every view is a shareable link. History API only (no router dependency needed for
 * a dozen routes).
 */
import { useSyncExternalStore, type MouseEvent } from 'react';

const listeners = new Set<() => void>();
const notify = () => listeners.forEach((listener) => listener());
window.addEventListener('popstate', notify);

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const snapshot = () => window.location.pathname + window.location.search;

/** The current path and query parameters; re-renders on navigation. */
export function useLocation(): { path: string; params: URLSearchParams; href: string } {
  const href = useSyncExternalStore(subscribe, snapshot);
  const url = new URL(href, window.location.origin);
  return { path: url.pathname, params: url.searchParams, href };
}

/** Goes to `to` (path and query), adding a history entry unless `replace`. */
export function navigate(to: string, options: { replace?: boolean } = {}) {
  if (to === snapshot()) return;
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  notify();
}

/** Changes some query parameters of the current URL (null removes one). */
export function setParams(changes: Record<string, string | null>, options: { replace?: boolean } = {}) {
  const url = new URL(window.location.href);
  for (const [key, value] of Object.entries(changes)) {
    if (value === null || value === '') url.searchParams.delete(key);
    else url.searchParams.set(key, value);
  }
  navigate(url.pathname + url.search, options);
}

/** Click handler for in-app links: plain clicks navigate in place, modified clicks open as usual. */
export function onLinkClick(event: MouseEvent<HTMLAnchorElement>) {
  if (event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const target = event.currentTarget;
  if (target.target || target.hasAttribute('download') || target.origin !== window.location.origin) return;
  event.preventDefault();
  navigate(target.pathname + target.search);
}
