import { createRoute } from '@hono/zod-openapi';
import { MachineList } from '@unison/contracts';
import type { Database } from '../../db/client.ts';
import { createRouter, jsonResponse, problems, USER_AUTH } from '../../http/openapi.ts';
import type { UserTokens } from '../auth/tokens.ts';
import { userAuth } from '../auth/user-auth.middleware.ts';
import { listMachines } from './machines.service.ts';

export function machinesRoutes({ db, tokens }: { db: Database; tokens: UserTokens }) {
  const listRoute = createRoute({
    method: 'get',
    path: '/api/v1/machines',
    tags: ['machines'],
    summary: "The caller's organization's machines with their latest values",
    security: USER_AUTH,
    middleware: [userAuth(tokens)] as const,
    responses: { 200: jsonResponse(MachineList, 'Machines ordered by code'), ...problems(401) },
  });
  return createRouter().openapi(listRoute, async (c) =>
    c.json(await listMachines(db, c.get('user').organizationId), 200),
  );
}
