/** The signed-in user and their stores, shared by every screen. */
import { createContext, useContext } from 'react';
import type { MeDto } from '../../src/auth/auth.routes.ts';
import type { Role } from '../../src/auth/access.ts';
import type { TenantDto } from '../../src/tenants/tenant.routes.ts';

export type Store = TenantDto & { role: Role };

export type Session = {
  me: MeDto;
  stores: Store[];
  /** Loads the stores again (after connecting one or changing settings). */
  refresh: () => void;
  signOut: () => Promise<void>;
};

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in screen');
  return session;
}

/** Owners and admins change settings, keys and run syncs; analysts only read (src/auth/access.ts). */
export const canManage = (store: Store) => store.role === 'owner' || store.role === 'admin';
