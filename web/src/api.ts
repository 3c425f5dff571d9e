/**
 * The dashboard's API client: same-origin `fetch` to `/api/v1` with the session cookie. State-changing
 * calls send the session's CSRF token (`X-CSRF-Token`, given at sign-up/login and kept in localStorage so
 * that every tab of the session has it) as src/auth/authenticate.ts requires. Errors arrive as `ApiError` with the API's
 * machine-readable code; a 401 also tells the app that the session is over.
 */
import { useCallback, useEffect, useState } from 'react';

const CSRF_KEY = 'shopsight.csrf';

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Fired on `window` when the API answers 401: the app shows the login screen. */
export const SIGNED_OUT_EVENT = 'shopsight:signed-out';

export function rememberCsrfToken(token: string | null) {
  if (token) localStorage.setItem(CSRF_KEY, token);
  else localStorage.removeItem(CSRF_KEY);
}

/** Calls `/api/v1${path}`; resolves the parsed JSON body (undefined for 204). @throws ApiError. */
export async function api<T>(
  path: string,
  options: { method?: 'GET' | 'POST' | 'PATCH' | 'DELETE'; body?: unknown; signal?: AbortSignal } = {},
): Promise<T> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const csrf = localStorage.getItem(CSRF_KEY);
  if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
  const response = await fetch(`/api/v1${path}`, {
    method,
    headers,
    credentials: 'same-origin',
    signal: options.signal ?? null,
    ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
  });
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
    if (response.status === 401 && !path.startsWith('/auth/')) {
      window.dispatchEvent(new Event(SIGNED_OUT_EVENT));
    }
    const code = error?.code ?? `http_${response.status}`;
    // The token is lost when the browser's storage was cleared: only a new login issues one.
    const message =
      code === 'csrf_token_invalid'
        ? 'This browser lost the session’s security token: log out and log in again to make changes.'
        : (error?.message ?? `The server answered ${response.status}`);
    throw new ApiError(response.status, code, message);
  }
  return body as T;
}

export type Resource<T> =
  | { status: 'loading'; data: T | undefined; error: undefined; reload: () => void }
  | { status: 'ok'; data: T; error: undefined; reload: () => void }
  | { status: 'error'; data: T | undefined; error: ApiError; reload: () => void };

/**
 * GETs `path` (null: nothing to load) and re-fetches when it changes. The previous answer stays in `data`
 * while the next one loads, so that a range change does not blank the page.
 */
export function useApi<T>(path: string | null): Resource<T> {
  const [state, setState] = useState<{ path: string | null; data?: T; error?: ApiError; done: boolean }>({
    path: null,
    done: false,
  });
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration((value) => value + 1), []);

  useEffect(() => {
    if (path === null) return;
    const controller = new AbortController();
    setState((previous) => ({ path, data: previous.data, done: false }));
    api<T>(path, { signal: controller.signal }).then(
      (data) => setState({ path, data, done: true }),
      (error: unknown) => {
        if (controller.signal.aborted) return;
        const failure =
          error instanceof ApiError
            ? error
            : new ApiError(0, 'network_error', 'Shopsight could not be reached');
        setState((previous) => ({ path, data: previous.data, error: failure, done: true }));
      },
    );
    return () => controller.abort();
  }, [path, generation]);

  if (state.error) return { status: 'error', data: state.data, error: state.error, reload };
  if (state.done && state.path === path && state.data !== undefined) {
    return { status: 'ok', data: state.data, error: undefined, reload };
  }
  return { status: 'loading', data: state.data, error: undefined, reload };
}

/** A query string from `params`, leaving out empty values. */
export function query(params: Record<string, string | number | boolean | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
