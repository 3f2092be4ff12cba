import type { MediaAssetRecord } from '../media/media-asset.js';
import type { GenerationTaskRecord } from '../generation/engine/repositories.js';
import type { JimengRecord } from '../jimeng/jimeng.repository.js';
import type { AuditLog, AuditTarget } from '../audit/audit-log.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../errors.js';
import { memberFacingFailure } from '../generation/generation-failures.js';
import { isAdmin, isStaff, type Actor } from '../identity/actor.js';
import type { MediaService } from '../media/media.service.js';
import { NANOBANANA_SOURCE } from '../nanobanana/nanobanana.types.js';
import { maskSecret, type SecretBox } from '../shared/secret-box.js';
import { parseTraceQuery } from './trace-query.js';
import type { TraceRepository } from './trace.repository.js';
import type { TraceAccount, TraceAttempt, TraceError, TraceEvent, TraceView } from './trace.types.js';

interface Deps {
  /** Every read a trace makes (the Sequelize adapter trace.repository.ts). */
  reads: TraceRepository;
  audit: AuditLog;
  media: MediaService;
  secrets: SecretBox;
}

const iso = (date: Date | null | undefined) => (date ? new Date(date).toISOString() : null);

/** The engine stores provider failures as `PROVIDER_<CLASS>`; other codes are task-level. */
function failureClass(code: string | null): string | null {
  return code?.startsWith('PROVIDER_') ? code.slice('PROVIDER_'.length).toLowerCase() : null;
}

/**
 * Staff trace: from any output, record, generation or NanoBanana image (by id, uuid or media URL)
 * to one view — its task, where it ran (accounts masked, or the caller's key masked), errors with
 * their class, what it cost and what was refunded, the member and their platform identities, and
 * every staff action that touched any of them. Access follows the resources' own rules: staff read
 * every generation, Jimeng records and NanoBanana tasks only their own unless admin (404 otherwise).
 */
export class TraceService {
  constructor(private readonly deps: Deps) {}

  async trace(actor: Actor, query: string): Promise<TraceView> {
    if (!isStaff(actor)) throw new ForbiddenError('Only staff can trace');
    const parsed = parseTraceQuery(query);
    if (!parsed)
      throw new ValidationError('q must be an id, a uuid, a /media/… URL or an /api/v1/images/… URL');
    const { reads } = this.deps;

    let task: GenerationTaskRecord | null = null;
    let record: JimengRecord | null = null;
    let asset: MediaAssetRecord | null = null;
    if (parsed.kind === 'media_key') {
      asset = (await reads.mediaByStorageKey(parsed.key)) ?? (await reads.mediaByThumbnailKey(parsed.key));
    } else if (parsed.kind === 'image_ref') {
      asset =
        (await reads.media(parsed.idOrFilename)) ??
        (await reads.mediaByStorageKey(`uploads/${parsed.idOrFilename}`));
    } else {
      task = await reads.task(parsed.id);
      if (!task) record = await reads.jimengRecord(parsed.id);
      if (!task && !record) asset = await reads.media(parsed.id);
      if (!task && !record && !asset) {
        const job = await reads.providerJobByUpstream(parsed.id);
        if (job) task = await reads.task(job.task_id);
      }
    }
    if (asset?.task_id) task = await reads.task(asset.task_id);
    if (record?.task_id) task = await reads.task(record.task_id);
    if (task && !record) record = await reads.jimengRecordOfTask(task.id);
    if (!task && !record && !asset) throw new NotFoundError('Nothing with that id or URL');

    const nanobanana = task?.source === NANOBANANA_SOURCE ? await reads.nanobananaTask(task.id) : null;
    // Other staff's 004 tasks and Jimeng records do not exist for them (README: who may do what).
    if (!isAdmin(actor)) {
      if (nanobanana && nanobanana.owner_key !== actor.id)
        throw new NotFoundError('Nothing with that id or URL');
      if (record && record.create_by !== actor.id) throw new NotFoundError('Nothing with that id or URL');
    }

    const matched: TraceView['matched'] =
      parsed.kind === 'id' && task?.id === parsed.id
        ? { kind: 'generation', id: task.id }
        : parsed.kind === 'id' && record?.id === parsed.id
          ? { kind: 'jimeng_record', id: record.id }
          : asset && nanobanana
            ? { kind: 'nanobanana_image', id: asset.id }
            : asset
              ? { kind: 'media', id: asset.id }
              : task
                ? { kind: 'generation', id: task.id }
                : { kind: 'jimeng_record', id: record!.id };

    const outputs = task ? await reads.outputs(task.id) : asset ? [asset] : [];
    const accountIds = [
      ...new Set([task?.account_id, record?.account_id].filter((id): id is string => !!id)),
    ];
    const accounts = new Map(
      (accountIds.length ? await reads.accounts(accountIds) : []).map((row): [string, TraceAccount] => [
        row.id,
        {
          id: row.id,
          name: row.name,
          provider: row.provider,
          site_type: row.site_type,
          session_mask: row.secret_mask,
          account_status: row.account_status,
          status_reason: row.status_reason ?? null,
          last_error: row.last_error ?? null,
        },
      ]),
    );
    const attempts = await this.attempts(task, record, accounts);
    const errors = await this.errors(task, record);
    const ledger = task ? await reads.ledger(task.id) : [];
    const entries = ledger.map((row) => ({
      id: row.id,
      kind: row.kind,
      amount: row.amount,
      balance_after: row.balance_after,
      actor_id: row.actor_id,
      note: row.note,
      created_at: iso(row.created_at)!,
    }));
    const sum = (kind: string) =>
      entries.filter((entry) => entry.kind === kind).reduce((total, entry) => total + entry.amount, 0);

    const userId = task?.user_id ?? record?.create_by ?? asset?.user_id ?? null;
    const user = userId ? await this.user(userId) : null;

    const targets: AuditTarget[] = [
      ...(task ? [{ kind: 'generation', id: task.id }] : []),
      ...(nanobanana ? [{ kind: 'nanobanana_task', id: nanobanana.task_id }] : []),
      ...(record ? [{ kind: 'jimeng_record', id: record.id }] : []),
      ...(record?.batch_id ? [{ kind: 'jimeng_batch', id: record.batch_id }] : []),
      ...outputs.map((output) => ({ kind: 'media', id: output.id })),
      ...(nanobanana ? outputs.map((output) => ({ kind: 'nanobanana_image', id: output.id })) : []),
      ...accountIds.map((id) => ({ kind: 'jimeng_account', id })),
      ...(userId ? [{ kind: 'user', id: userId }] : []),
    ];
    const audit = await this.deps.audit.forTargets(targets);

    const taskView = task
      ? {
          id: task.id,
          source: task.source,
          kind: task.kind,
          provider: task.provider,
          model: task.model,
          prompt: task.prompt,
          status: task.status,
          progress: task.progress,
          requested_count: task.requested_count,
          completed_count: task.completed_count,
          priority: task.priority,
          attempts: task.attempts,
          site_switch_count: task.site_switch_count,
          batch_id: task.batch_id,
          credits_used: task.credits_used,
          visibility: task.visibility,
          error_code: task.error_code,
          error_message: task.error_message,
          created_at: iso(task.created_at),
          started_at: iso(task.started_at),
          finished_at: iso(task.finished_at),
        }
      : null;
    const recordView = record
      ? {
          id: record.id,
          type: record.type,
          work_id: record.work_id,
          storyboard_id: record.storyboard_id,
          batch_id: record.batch_id,
          generation_status: record.generation_status,
          account_id: record.account_id,
          original_session_mask: record.original_session_mask ?? null,
          site_used: record.site_used ?? null,
          retry_count: record.retry_count,
          site_switch_count: record.site_switch_count,
          error_message: record.error_message ?? null,
          is_deleted: record.is_deleted,
          create_time: iso(record.create_time),
        }
      : null;
    const outputViews = outputs.map((output) => ({
      id: output.id,
      position: output.position,
      kind: output.kind,
      mime: output.mime,
      width: output.width,
      height: output.height,
      size_bytes: output.size_bytes,
      url: this.deps.media.urlFor(output.storage_key),
      thumbnail_url: output.thumbnail_key ? this.deps.media.urlFor(output.thumbnail_key) : null,
      created_at: iso(output.created_at),
    }));

    return {
      query,
      matched,
      task: taskView,
      jimeng_record: recordView,
      nanobanana: nanobanana ? { task_id: nanobanana.task_id, owner_key: nanobanana.owner_key } : null,
      outputs: outputViews,
      attempts,
      errors,
      credits: {
        charged: -sum('charge'),
        refunded: sum('refund'),
        granted: sum('grant'),
        net: entries.reduce((total, entry) => total + entry.amount, 0),
        entries,
      },
      user,
      audit,
      timeline: timeline(task, record, outputViews, entries, audit),
    };
  }

  /** Where the work ran, per task, output position (004) and upstream job (kie). */
  private async attempts(
    task: GenerationTaskRecord | null,
    record: JimengRecord | null,
    accounts: Map<string, TraceAccount>,
  ): Promise<TraceAttempt[]> {
    const { reads } = this.deps;
    const out: TraceAttempt[] = [];
    if (!task && record) {
      out.push({
        scope: 'record',
        attempts: record.retry_count + 1,
        status: String(record.generation_status),
        credential: 'pool',
        account: record.account_id ? (accounts.get(record.account_id) ?? null) : null,
        key_mask: record.original_session_mask ?? null,
        error: record.error_message ?? null,
      });
      return out;
    }
    if (!task) return out;
    const sealed = await reads.sealedCredential(task.id);
    const callerKeyMask = sealed ? maskSecret(this.deps.secrets.open(sealed)) : null;
    const account = task.account_id ? (accounts.get(task.account_id) ?? null) : null;
    out.push({
      scope: 'task',
      attempts: task.attempts,
      status: task.status,
      credential: account ? 'pool' : task.source === NANOBANANA_SOURCE ? 'caller' : 'service',
      account,
      key_mask: account?.session_mask ?? record?.original_session_mask ?? callerKeyMask,
      error: task.error_message,
    });
    const items = await reads.items(task.id);
    for (const item of items)
      out.push({
        scope: `position ${item.position}`,
        attempts: item.attempts,
        status: item.status,
        credential: callerKeyMask || task.source === NANOBANANA_SOURCE ? 'caller' : 'pool',
        account: null,
        key_mask: callerKeyMask,
        error: item.error_message ?? null,
      });
    const jobs = await reads.providerJobs(task.id);
    for (const job of jobs)
      out.push({
        scope: `${job.provider} ${job.upstream_id}`,
        attempts: job.polls,
        status: job.cancelled_at ? `cancelled: ${job.cancel_reason ?? ''}`.trim() : job.state,
        credential: 'service',
        account: null,
        key_mask: null,
        error: null,
      });
    return out;
  }

  private async errors(
    task: GenerationTaskRecord | null,
    record: JimengRecord | null,
  ): Promise<TraceError[]> {
    const out: TraceError[] = [];
    if (task && (task.error_code || task.error_message)) {
      out.push({
        where: 'task',
        code: task.error_code,
        class: failureClass(task.error_code),
        member_code: task.error_code ? memberFacingFailure(task.error_code).code : null,
        message: task.error_message ?? '',
      });
    }
    if (task) {
      const items = await this.deps.reads.items(task.id, { failedOnly: true });
      for (const item of items)
        out.push({
          where: `position ${item.position}`,
          code: null,
          class: null,
          member_code: null,
          message: item.error_message ?? '',
        });
    }
    if (record?.error_message && record.error_message !== task?.error_message)
      out.push({
        where: 'record',
        code: task?.error_code ?? null,
        class: failureClass(task?.error_code ?? null),
        member_code: null,
        message: record.error_message,
      });
    return out;
  }

  private async user(userId: string): Promise<TraceView['user']> {
    const row = await this.deps.reads.user(userId);
    if (!row) return null;
    const identities = await this.deps.reads.identities(userId);
    return {
      id: row.id,
      username: row.username,
      display_name: row.display_name,
      role: row.role,
      // Password hashes stay out: provider and subject are the platform identity (discord:1234…).
      identities: identities.map((identity) => ({
        provider: identity.provider,
        subject: identity.subject,
        display_name: identity.display_name,
      })),
    };
  }
}

/** Everything with a time, oldest first: what happened to the work, its money, and staff actions. */
function timeline(
  task: GenerationTaskRecord | null,
  record: JimengRecord | null,
  outputs: Array<{ id: string; position: number; created_at: string | null }>,
  entries: Array<{ kind: string; amount: number; note: string | null; created_at: string }>,
  audit: Array<{
    action: string;
    actor_name: string | null;
    target_kind: string;
    target_id: string;
    created_at: string;
  }>,
): TraceEvent[] {
  const events: TraceEvent[] = [];
  const push = (at: string | null, kind: TraceEvent['kind'], text: string) => {
    if (at) events.push({ at, kind, text });
  };
  if (record)
    push(
      iso(record.create_time),
      'record',
      `Jimeng record ${record.id} (${record.type}, storyboard ${record.storyboard_id})`,
    );
  if (task) {
    push(
      iso(task.created_at),
      'created',
      `${task.source} ${task.kind} task created (${task.provider} ${task.model})`,
    );
    push(iso(task.started_at), 'started', `Started (attempt ${task.attempts || 1})`);
  }
  for (const output of outputs)
    push(output.created_at, 'output', `Output ${output.position} stored (${output.id})`);
  for (const entry of entries)
    push(
      entry.created_at,
      'credits',
      `${entry.kind} ${entry.amount > 0 ? '+' : ''}${entry.amount} MC${entry.note ? ` — ${entry.note}` : ''}`,
    );
  if (task?.finished_at)
    push(
      iso(task.finished_at),
      'finished',
      `${task.status}${task.error_code ? ` (${task.error_code})` : ''}`,
    );
  for (const entry of audit)
    push(
      entry.created_at,
      'audit',
      `${entry.actor_name ?? 'staff'}: ${entry.action} ${entry.target_kind} ${entry.target_id}`,
    );
  return events.sort((a, b) => a.at.localeCompare(b.at));
}
