/**
 * @module /api/v1/members: the workspace's members and their roles. Admins add people (an existing
 * account by e-mail, or a new account with a first password), change roles and remove members; a
 * workspace always keeps one admin. Every change is audited.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SwitchyardError } from '../../errors/switchyard-error.ts';
import { hashPassword, passwordProblem } from '../../security/auth/passwords.ts';
import { normaliseEmail } from '../../security/identity/accounts.ts';
import { actorOf } from '../../security/identity/principal.ts';
import { ROLES } from '../../security/permissions.ts';
import type { Member } from '../../store/security-ports.ts';
import { isoOf, problemAnswers } from '../common-schemas.ts';
import type { ServerDeps } from '../deps.ts';
import { principalOf } from './request-principal.ts';

const tags = ['members'];
const role = z.enum(ROLES);
const memberSchema = z
  .object({ userId: z.string(), email: z.string(), name: z.string(), role, since: z.iso.datetime() })
  .meta({ id: 'Member' });
const userParams = z.strictObject({ userId: z.string().min(1).max(100) });

const memberOf = (member: Member) => ({
  userId: member.userId,
  email: member.email,
  name: member.name,
  role: member.role,
  since: isoOf(member.createdAt),
});

export function memberRoutes(deps: ServerDeps): FastifyPluginAsyncZod {
  const { store, clock } = deps;
  const { audit, authenticator } = deps.security;

  async function memberOrThrow(workspaceId: string, userId: string): Promise<Member> {
    const member = (await store.workspaces.members(workspaceId)).find((m) => m.userId === userId);
    if (!member) throw new SwitchyardError('SY_USER_NOT_FOUND', `no member "${userId}" in this workspace`);
    return member;
  }

  const lastAdmin = () =>
    new SwitchyardError('SY_STORE_CONFLICT', 'the workspace must keep at least one admin', {
      hint: 'Make another member admin first.',
    });

  return async (app) => {
    app.get(
      '/members',
      {
        schema: {
          operationId: 'listMembers',
          summary: "The workspace's members and their roles.",
          tags,
          response: { 200: z.object({ items: z.array(memberSchema) }), ...problemAnswers },
        },
      },
      async (request) => ({
        items: (await store.workspaces.members(principalOf(request).workspaceId)).map(memberOf),
      }),
    );

    app.post(
      '/members',
      {
        schema: {
          operationId: 'addMember',
          summary: 'Add an account by e-mail (creating it when `password` is given) with a role.',
          tags,
          body: z.strictObject({
            email: z.string().min(3).max(320),
            role,
            password: z
              .string()
              .min(1)
              .max(1024)
              .optional()
              .describe('Creates the account when it does not exist.'),
            name: z.string().min(1).max(200).optional(),
          }),
          response: { 201: memberSchema, ...problemAnswers },
        },
      },
      async (request, reply) => {
        const principal = principalOf(request);
        const email = normaliseEmail(request.body.email);
        let user = await store.users.findByEmail(email);
        if (!user) {
          const { password } = request.body;
          if (password === undefined) {
            throw new SwitchyardError('SY_USER_NOT_FOUND', `no account with e-mail ${email}`, {
              path: 'email',
              hint: 'Give `password` to create the account, or ask the person to sign up first.',
            });
          }
          const weakness = passwordProblem(password, { email });
          if (weakness) throw new SwitchyardError('SY_AUTH_WEAK_PASSWORD', weakness, { path: 'password' });
          const created = await store.users.create(
            {
              id: randomUUID(),
              email,
              name: request.body.name ?? email.split('@')[0]!,
              passwordHash: await hashPassword(password),
              now: clock.now(),
            },
            { firstAdminOf: principal.workspaceId },
          );
          if (created === 'exists')
            throw new SwitchyardError('SY_USER_EXISTS', `an account with e-mail ${email} exists`);
          user = created.user;
        }
        if (
          (await store.workspaces.setRole(principal.workspaceId, user.id, request.body.role, clock.now())) !==
          'ok'
        ) {
          throw lastAdmin();
        }
        authenticator.keysChanged();
        await audit.record({
          workspaceId: principal.workspaceId,
          actor: actorOf(principal),
          action: 'member.add',
          target: `user:${user.id}`,
          outcome: 'success',
          ip: request.ip,
          detail: { role: request.body.role },
        });
        return reply.code(201).send(memberOf(await memberOrThrow(principal.workspaceId, user.id)));
      },
    );

    app.patch(
      '/members/:userId',
      {
        schema: {
          operationId: 'changeMemberRole',
          summary: "Change a member's role.",
          tags,
          params: userParams,
          body: z.strictObject({ role }),
          response: { 200: memberSchema, ...problemAnswers },
        },
      },
      async (request) => {
        const principal = principalOf(request);
        const before = await memberOrThrow(principal.workspaceId, request.params.userId);
        if (
          (await store.workspaces.setRole(
            principal.workspaceId,
            before.userId,
            request.body.role,
            clock.now(),
          )) !== 'ok'
        ) {
          throw lastAdmin();
        }
        authenticator.keysChanged();
        await audit.record({
          workspaceId: principal.workspaceId,
          actor: actorOf(principal),
          action: 'member.role',
          target: `user:${before.userId}`,
          outcome: 'success',
          ip: request.ip,
          detail: { from: before.role, to: request.body.role },
        });
        return memberOf(await memberOrThrow(principal.workspaceId, before.userId));
      },
    );

    app.delete(
      '/members/:userId',
      {
        schema: {
          operationId: 'removeMember',
          summary: 'Remove a member from the workspace (their account stays).',
          tags,
          params: userParams,
          response: { 204: z.null(), ...problemAnswers },
        },
      },
      async (request, reply) => {
        const principal = principalOf(request);
        const outcome = await store.workspaces.removeMember(principal.workspaceId, request.params.userId);
        if (outcome === 'absent') {
          throw new SwitchyardError(
            'SY_USER_NOT_FOUND',
            `no member "${request.params.userId}" in this workspace`,
          );
        }
        if (outcome === 'last-admin') throw lastAdmin();
        authenticator.keysChanged();
        await audit.record({
          workspaceId: principal.workspaceId,
          actor: actorOf(principal),
          action: 'member.remove',
          target: `user:${request.params.userId}`,
          outcome: 'success',
          ip: request.ip,
        });
        return reply.code(204).send(null);
      },
    );
  };
}
