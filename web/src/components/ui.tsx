/** Small building blocks of every screen: cards, states (loading, empty, error), KPI cards, CSV links. */
import type { ReactNode } from 'react';
import { Button } from 'react-aria-components';
import type { ApiError, Resource } from '../api.ts';
import { onLinkClick } from '../router.ts';

export function Card({
  title,
  actions,
  children,
  className,
}: {
  title?: string;
  actions?: ReactNode;
  children: ReactNode;
  className?: string;
}) {
  return (
    <section className={`card ${className ?? ''}`} aria-label={title}>
      {(title || actions) && (
        <header className="card-header">
          {title && <h2>{title}</h2>}
          {actions && <div className="card-actions">{actions}</div>}
        </header>
      )}
      {children}
    </section>
  );
}

export function Loading({ label = 'Loading' }: { label?: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}…
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="state state-empty">{children}</div>;
}

/** An API error in words, with a retry button. */
export function ErrorState({ error, onRetry }: { error: ApiError; onRetry?: () => void }) {
  return (
    <div className="state state-error" role="alert">
      <p>{error.message}</p>
      {onRetry && (
        <Button className="button button-plain" onPress={onRetry}>
          Try again
        </Button>
      )}
    </div>
  );
}

/** Renders `children(data)` once `resource` has data; loading, error and empty states otherwise. */
export function Async<T>({
  resource,
  isEmpty,
  empty,
  children,
  loadingLabel,
}: {
  resource: Resource<T>;
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  children: (data: T) => ReactNode;
  loadingLabel?: string;
}) {
  if (resource.status === 'error') return <ErrorState error={resource.error} onRetry={resource.reload} />;
  if (resource.data === undefined) return <Loading label={loadingLabel} />;
  if (isEmpty?.(resource.data)) return <Empty>{empty ?? 'No data for this range.'}</Empty>;
  return (
    <div
      className={resource.status === 'loading' ? 'refreshing' : undefined}
      aria-busy={resource.status === 'loading'}
    >
      {children(resource.data)}
    </div>
  );
}

/** A link that downloads `path` (an `/api/v1` report or list) as CSV. */
export function CsvLink({ path, label }: { path: string; label: string }) {
  const href = `/api/v1${path}${path.includes('?') ? '&' : '?'}format=csv`;
  return (
    <a className="button button-plain" href={href} download aria-label={`Download ${label} as CSV`}>
      CSV
    </a>
  );
}

export function Link({
  to,
  children,
  className,
  current,
}: {
  to: string;
  children: ReactNode;
  className?: string;
  current?: boolean;
}) {
  return (
    <a href={to} onClick={onLinkClick} className={className} aria-current={current ? 'page' : undefined}>
      {children}
    </a>
  );
}

export type Delta = { change: string; percent: string | null } | undefined;

/**
 * A KPI: label, figure, and the change from the compared range. `goodWhenUp` false for figures where a
 * rise is bad (returns, refund rate).
 */
export function Kpi({
  id,
  label,
  value,
  delta,
  detail,
  goodWhenUp = true,
}: {
  id: string;
  label: string;
  value: string;
  delta?: Delta;
  detail?: ReactNode;
  goodWhenUp?: boolean;
}) {
  let deltaText: ReactNode = null;
  if (delta) {
    const up = !delta.change.startsWith('-') && Number(delta.change) !== 0;
    const down = delta.change.startsWith('-');
    const tone = up === goodWhenUp && (up || down) ? 'good' : up || down ? 'bad' : 'flat';
    const arrow = up ? '↑' : down ? '↓' : '→';
    deltaText = (
      <span className={`delta delta-${tone}`}>
        <span aria-hidden="true">{arrow}</span>{' '}
        {delta.percent === null ? 'new' : `${delta.percent.replace('-', '')}%`}
        <span className="visually-hidden">
          {up ? ' up' : down ? ' down' : ' unchanged'} from the compared range
        </span>
      </span>
    );
  }
  return (
    <div className="kpi" data-kpi={id}>
      <h3 className="kpi-label">{label}</h3>
      <p className="kpi-value">{value}</p>
      <p className="kpi-foot">
        {deltaText}
        {detail && <span className="kpi-detail">{detail}</span>}
      </p>
    </div>
  );
}

export function PageHeader({
  title,
  actions,
  children,
}: {
  title: string;
  actions?: ReactNode;
  children?: ReactNode;
}) {
  return (
    <div className="page-header">
      <div>
        <h1>{title}</h1>
        {children}
      </div>
      {actions && <div className="page-actions">{actions}</div>}
    </div>
  );
}
