/**
 * The app: session (GET /me and /tenants), routes by path, and the shell (top bar with the store switcher,
 * the store's navigation). Heavy screens are lazy chunks so that the first paint needs little code.
 */
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, type ReactNode } from 'react';
import {
  Button,
  type Key,
  Label,
  ListBox,
  ListBoxItem,
  Popover,
  Select,
  SelectValue,
} from 'react-aria-components';
import type { MeDto } from '../../src/auth/auth.routes.ts';
import type { TenantDto } from '../../src/tenants/tenant.routes.ts';
import { api, rememberCsrfToken, SIGNED_OUT_EVENT, useApi } from './api.ts';
import { ErrorBoundary } from './components/ErrorBoundary.tsx';
import { Link, Loading, ErrorState } from './components/ui.tsx';
import { navigate, useLocation } from './router.ts';
import { AuthScreen } from './screens/Auth.tsx';
import { canManage, SessionContext, useSession, type Session, type Store } from './session.ts';

const Overview = lazy(() => import('./screens/Overview.tsx'));
const loadDashboard = () => import('./screens/Dashboard.tsx');
// A store's dashboard is the usual first screen: its code loads alongside the session, not after it.
if (/^\/stores\/[^/]+\/?$/.test(window.location.pathname)) void loadDashboard();
const Dashboard = lazy(loadDashboard);
const DataTableScreen = lazy(() => import('./screens/DataTable.tsx'));
const OrderDetail = lazy(() => import('./screens/OrderDetail.tsx'));
const Inventory = lazy(() => import('./screens/Inventory.tsx'));
const Operations = lazy(() => import('./screens/Operations.tsx'));
const Settings = lazy(() => import('./screens/Settings.tsx'));
const Connect = lazy(() => import('./screens/Connect.tsx'));

export function App() {
  const { path } = useLocation();
  const me = useApi<MeDto | { operator: true }>('/me');
  const tenants = useApi<{ tenants: TenantDto[] }>(me.status === 'ok' ? '/tenants' : null);
  const { reload: reloadMe } = me;

  useEffect(() => {
    const onSignedOut = () => reloadMe();
    window.addEventListener(SIGNED_OUT_EVENT, onSignedOut);
    return () => window.removeEventListener(SIGNED_OUT_EVENT, onSignedOut);
  }, [reloadMe]);

  const signOut = useCallback(async () => {
    await api('/auth/logout', { method: 'POST' }).catch(() => undefined);
    rememberCsrfToken(null);
    navigate('/login');
    reloadMe();
  }, [reloadMe]);

  const session = useMemo<Session | null>(() => {
    // While `me` reloads (after a store is connected) its previous answer keeps the app on screen.
    if (me.status === 'error' || !me.data || !('user' in me.data) || !tenants.data) return null;
    const roles = new Map(me.data.memberships.map((m) => [m.tenantId, m.role]));
    const stores = tenants.data.tenants.map((tenant) => ({
      ...tenant,
      role: roles.get(tenant.id) ?? 'analyst',
    }));
    // A new store's role is in the memberships of `me`: both are loaded again.
    const refresh = () => {
      reloadMe();
      tenants.reload();
    };
    return { me: me.data, stores, refresh, signOut };
  }, [me, tenants.data, tenants.reload, reloadMe, signOut]);

  const signedOut = me.status === 'error' && me.error.status === 401;
  if (signedOut || path === '/login' || path === '/signup') {
    if (!signedOut && session) {
      navigate('/', { replace: true });
      return null;
    }
    return (
      <AuthScreen
        mode={path === '/signup' ? 'signup' : 'login'}
        onSignedIn={() => {
          if (path === '/login' || path === '/signup') navigate('/', { replace: true });
          reloadMe();
          tenants.reload();
        }}
      />
    );
  }
  if (me.status === 'error') return <ErrorState error={me.error} onRetry={me.reload} />;
  if (me.status === 'ok' && 'operator' in me.data) {
    return (
      <main className="centered">
        This dashboard is for user accounts; the operator token is for the API.
      </main>
    );
  }
  if (tenants.status === 'error') return <ErrorState error={tenants.error} onRetry={tenants.reload} />;
  if (!session) return <Loading label="Loading Shopsight" />;
  return (
    <SessionContext.Provider value={session}>
      <Routes path={path} />
    </SessionContext.Provider>
  );
}

const STORE_ROUTE = /^\/stores\/([^/]+)(?:\/([a-z-]+)(?:\/([^/]+))?)?\/?$/;
const TABLES = ['orders', 'customers', 'products', 'checkouts'] as const;

function Routes({ path }: { path: string }) {
  const { stores } = useSession();
  const match = STORE_ROUTE.exec(path);
  if (!match) {
    if (path === '/connect')
      return (
        <Shell>
          <Connect />
        </Shell>
      );
    if (path === '/') return <Shell>{stores.length === 0 ? <Connect first /> : <Overview />}</Shell>;
    return (
      <Shell>
        <NotFound />
      </Shell>
    );
  }
  const [, storeId, section, itemId] = match;
  const store = stores.find((s) => s.id === storeId);
  if (!store)
    return (
      <Shell>
        <NotFound what="store" />
      </Shell>
    );
  let screen: ReactNode;
  if (!section) screen = <Dashboard store={store} />;
  else if (section === 'orders' && itemId)
    screen = <OrderDetail store={store} orderId={decodeURIComponent(itemId)} />;
  else if ((TABLES as readonly string[]).includes(section) && !itemId) {
    screen = <DataTableScreen key={section} store={store} table={section as (typeof TABLES)[number]} />;
  } else if (section === 'inventory' && !itemId) screen = <Inventory store={store} />;
  else if (section === 'operations' && !itemId) screen = <Operations store={store} />;
  else if (section === 'settings' && !itemId) screen = <Settings store={store} />;
  else screen = <NotFound />;
  return (
    <Shell store={store} section={section ?? 'dashboard'}>
      {screen}
    </Shell>
  );
}

function NotFound({ what = 'page' }: { what?: string }) {
  return (
    <div className="centered">
      <h1>No such {what}</h1>
      <p>
        <Link to="/">Back to all stores</Link>
      </p>
    </div>
  );
}

const SECTION_TITLES: Record<string, string> = {
  dashboard: 'Dashboard',
  orders: 'Orders',
  customers: 'Customers',
  products: 'Products',
  checkouts: 'Checkouts',
  inventory: 'Inventory',
  operations: 'Operations',
  settings: 'Settings',
};

function Shell({ store, section, children }: { store?: Store; section?: string; children: ReactNode }) {
  const { me, stores, signOut } = useSession();
  const { params, path } = useLocation();
  const main = useRef<HTMLElement>(null);
  const title = store ? `${SECTION_TITLES[section ?? ''] ?? 'Shopsight'} · ${store.name}` : 'All stores';

  // A new screen gets a title and the focus, so that screen readers announce it (an SPA has no page load).
  const firstPath = useRef(path);
  useEffect(() => {
    document.title = `${title} · Shopsight`;
  }, [title]);
  useEffect(() => {
    if (path !== firstPath.current) main.current?.focus();
  }, [path]);

  // Keep the range and comparison when moving between stores and sections.
  const keep = new URLSearchParams();
  for (const key of ['range', 'from', 'to', 'compare']) {
    const value = params.get(key);
    if (value) keep.set(key, value);
  }
  const carry = keep.toString() ? `?${keep}` : '';
  const nav = store
    ? [
        { id: 'dashboard', label: 'Dashboard', to: `/stores/${store.id}${carry}` },
        { id: 'orders', label: 'Orders', to: `/stores/${store.id}/orders` },
        { id: 'customers', label: 'Customers', to: `/stores/${store.id}/customers` },
        { id: 'products', label: 'Products', to: `/stores/${store.id}/products` },
        { id: 'checkouts', label: 'Checkouts', to: `/stores/${store.id}/checkouts` },
        { id: 'inventory', label: 'Inventory', to: `/stores/${store.id}/inventory` },
        { id: 'operations', label: 'Operations', to: `/stores/${store.id}/operations` },
        ...(canManage(store)
          ? [{ id: 'settings', label: 'Settings', to: `/stores/${store.id}/settings` }]
          : []),
      ]
    : [];
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to={`/${carry}`} className="brand">
          <span className="brand-mark" aria-hidden="true" />
          Shopsight
        </Link>
        <StoreSwitcher stores={stores} current={store} carry={carry} />
        <div className="topbar-end">
          <span className="user-email">{me.user.email}</span>
          <Button className="button button-plain" onPress={() => void signOut()}>
            Log out
          </Button>
        </div>
      </header>
      <div className="body">
        {store && (
          <nav className="sidenav" aria-label={`${store.name} sections`}>
            <ul>
              {nav.map((item) => (
                <li key={item.id}>
                  <Link to={item.to} current={section === item.id}>
                    {item.label}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
        )}
        <main id="main" className="main" tabIndex={-1} ref={main} aria-label={title}>
          <ErrorBoundary resetKey={path}>
            <Suspense fallback={<Loading />}>{children}</Suspense>
          </ErrorBoundary>
        </main>
      </div>
    </div>
  );
}

const ALL_STORES = '__all__';

/** The store switcher: a listbox of every store the user can see, plus the all-stores overview. */
function StoreSwitcher({ stores, current, carry }: { stores: Store[]; current?: Store; carry: string }) {
  const onChange = (key: Key | null) => {
    if (key === null) return;
    navigate(key === ALL_STORES ? `/${carry}` : `/stores/${String(key)}${carry}`);
  };
  return (
    <Select className="store-switcher" selectedKey={current?.id ?? ALL_STORES} onSelectionChange={onChange}>
      <Label className="visually-hidden">Store</Label>
      <Button className="select-button">
        <SelectValue />
        <span aria-hidden="true" className="chevron">
          ▾
        </span>
      </Button>
      <Popover className="popover">
        <ListBox className="listbox">
          <ListBoxItem id={ALL_STORES} className="listbox-item" textValue="All stores">
            All stores
          </ListBoxItem>
          {stores.map((store) => (
            <ListBoxItem key={store.id} id={store.id} className="listbox-item" textValue={store.name}>
              {store.name}
              <span className="listbox-detail">{store.shopDomain}</span>
            </ListBoxItem>
          ))}
        </ListBox>
      </Popover>
    </Select>
  );
}
