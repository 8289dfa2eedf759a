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

/** Request-scoped values; `user` and `edge` are set by the auth middleware of the routes that need them. */
export interface AppEnv {
  Variables: {
    requestId: string;
    log: Logger;
    user: UserPrincipal;
    edge: EdgePrincipal;
  };
}
