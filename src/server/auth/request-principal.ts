/** @module The authenticated caller, attached to each request by the auth hook. */
import type { FastifyRequest } from 'fastify';
import { SwitchyardError } from '../../errors/switchyard-error.ts';
import type { Principal } from '../../security/identity/principal.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | undefined;
  }
  interface FastifyInstance {
    /** Every route with what it requires, as the route table checked them at registration. */
    registeredRoutes: readonly {
      readonly method: string;
      readonly url: string;
      readonly requirement: object;
    }[];
  }
}

/** The caller of a route that requires authentication; fails closed if the hook did not run. */
export function principalOf(request: FastifyRequest): Principal {
  const principal = request.principal;
  if (!principal) throw new SwitchyardError('SY_AUTH_REQUIRED', 'this route needs authentication');
  return principal;
}
