import type { Logger } from 'pino';

export interface UserPrincipal {
  userId: string;
  organizationId: string;
}

export interface EdgePrincipal {
  edgeId: string;
  organizationId: string;
  plantId: string;
}

/** What the caller may do in its organization, loaded once per request by the permission guard. */
export interface CallerAccess {
  kind: 'user' | 'platform_admin';
  principalId: string;
  organizationId: string;
  permissions: ReadonlySet<string>;
  /** 'all', or the only plants the caller sees. */
  plantIds: 'all' | readonly string[];
}

/** Request-scoped values; `user` and `edge` are set by the auth middleware of the routes that need them. */
export interface AppEnv {
  Variables: {
    requestId: string;
    log: Logger;
    user: UserPrincipal;
    edge: EdgePrincipal;
    access: CallerAccess;
  };
}
