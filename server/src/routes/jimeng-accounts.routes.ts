import Router from '@koa/router';
import { z } from 'zod';
import { NotFoundError } from '@dreamloom/core';
import type { ApiRegistry } from '../http/api-registry.js';
import type { AppContextExtras, AppState } from '../http/context.js';
import { ok } from '../http/envelopes.js';

const accountFields = {
  jimeng_account: z.string().trim().min(1).max(191),
  jimeng_account_type: z.union([z.literal(0), z.literal(1)]).default(0),
  session_id: z.string().trim().min(8).max(512),
  site_type: z.enum(['hk', 'us', 'jp', 'sg']).optional(),
  priority: z.number().int().min(-100).max(100).optional(),
  max_concurrent: z.number().int().min(1).max(50).optional(),
};

const createBody = z.object({ accounts: z.array(z.object(accountFields)).min(1).max(500) });
const updateBody = z.object({
  accounts: z
    .array(
      z.object({
        id: z.string().min(1),
        jimeng_account: accountFields.jimeng_account.optional(),
        jimeng_account_type: z.union([z.literal(0), z.literal(1)]).optional(),
        session_id: accountFields.session_id.optional(),
        site_type: accountFields.site_type,
        priority: accountFields.priority,
        max_concurrent: accountFields.max_concurrent,
        /** Staff may disable (3) or re-enable (0) an account by hand. */
        account_status: z.union([z.literal(0), z.literal(3)]).optional(),
      }),
    )
    .min(1)
    .max(500),
});
const listQuery = z.object({
  page: z.coerce.number().int().min(1).default(1),
  size: z.coerce.number().int().min(1).max(200).default(20),
  account_status: z.coerce.number().int().min(0).max(3).optional(),
  site_type: z
    .string()
    .regex(/^(0|hk|us|jp|sg)$/)
    .optional(),
});

/** Contract 003 §5: the Jimeng account pool, staff only; session ids are masked in every response. */
export function jimengAccountRoutes(registry: ApiRegistry) {
  const router = new Router<AppState, AppContextExtras>();
  registry.add(router, {
    method: 'post',
    path: '/api/v1/jimeng/accounts/create',
    tag: 'jimeng-accounts',
    summary:
      'Create accounts in bulk; a session id another live account has is refused per item (`failures`), or 400 for a single item',
    role: 'staff',
    body: createBody,
    handler: async (ctx, { body, actor }) => {
      const { success_count, failed_count, failures } = await ctx.core.jimengAccounts.create(
        actor!,
        body.accounts,
      );
      return ok.jimeng({ success_count, failed_count, failures }, '账号创建成功');
    },
  });
  registry.add(router, {
    method: 'post',
    path: '/api/v1/jimeng/accounts/update',
    tag: 'jimeng-accounts',
    summary: 'Update accounts; a session id another live account has is refused as in create',
    role: 'staff',
    body: updateBody,
    handler: async (ctx, { body, actor }) =>
      ok.jimeng(await ctx.core.jimengAccounts.update(actor!, body.accounts), '账号修改成功'),
  });
  registry.add(router, {
    method: 'get',
    path: '/api/v1/jimeng/accounts/list',
    tag: 'jimeng-accounts',
    summary: 'Paged account list ordered by priority and create_time',
    role: 'staff',
    query: listQuery,
    handler: async (ctx, { query, actor }) =>
      ok.jimeng(await ctx.core.jimengAccounts.list(actor!, query), '查询成功'),
  });
  registry.add(router, {
    method: 'post',
    path: '/api/v1/jimeng/accounts/delete',
    tag: 'jimeng-accounts',
    summary: 'Logically delete your own accounts',
    role: 'staff',
    body: z.object({ ids: z.array(z.string().min(1)).min(1).max(500) }),
    handler: async (ctx, { body, actor }) =>
      ok.jimeng(await ctx.core.jimengAccounts.remove(actor!, body.ids), '账号删除成功'),
  });
  registry.add(router, {
    method: 'get',
    path: '/api/v1/jimeng/accounts/statistics',
    tag: 'jimeng-accounts',
    summary: 'Account counts by state (contract 003 §7.1)',
    role: 'staff',
    handler: async (ctx, { actor }) =>
      ok.jimeng(await ctx.core.jimengAccounts.statistics(actor!), '查询成功'),
  });
  registry.add(router, {
    method: 'post',
    path: '/api/v1/jimeng/accounts/test',
    tag: 'jimeng-accounts',
    summary: 'Test an account now: session check and credits (Dreamloom addition)',
    role: 'staff',
    body: z.object({ id: z.string().min(1) }),
    handler: async (ctx, { body, actor }) =>
      ok.jimeng(await ctx.core.jimeng.maintenance.testAccount(actor!, body.id), '测试完成'),
  });
  registry.add(router, {
    method: 'post',
    path: '/api/v1/jimeng/accounts/reset-status',
    tag: 'jimeng-accounts',
    summary: 'Turn generation back on, clear counts, next reset tomorrow 00:30',
    role: 'staff',
    body: z.object({ id: z.string().min(1) }),
    handler: async (ctx, { body, actor }) => {
      if (!(await ctx.core.jimengAccounts.resetStatus(actor!, body.id))) throw new NotFoundError('Account');
      return { code: 200, message: '账号状态重置成功' };
    },
  });
  return router;
}
