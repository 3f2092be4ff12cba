import type { MediaAssetRecord } from '../media/media-asset.js';
import type { AccountLabel, JimengRecord, JimengRepository, Ownership } from './jimeng.repository.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../errors.js';
import { isAdmin, isStaff, type Actor } from '../identity/actor.js';
import type { Clock } from '../ports/clock.port.js';
import type { MediaService } from '../media/media.service.js';
import { formatZoned, isoInstant, zonedTimeToInstant } from '../shared/zoned-time.js';
import { RecordStatus } from './jimeng.types.js';
import type { AuditLog } from '../audit/audit-log.js';

interface Deps {
  /** Records, batches and what their views read (the Sequelize adapter jimeng.repository.ts). */
  studio: JimengRepository;
  media: MediaService;
  clock: Clock;
  timeZone: string;
  /** Deletes are staff actions, kept in the audit log with what was deleted. */
  audit: AuditLog;
}

export interface RecordView {
  id: string;
  project_id: string | null;
  project_name: string | null;
  storyboard_id: string;
  work_id: string;
  batch_id: string | null;
  task_id: string | null;
  type: 'image' | 'video';
  mode: string;
  model: string;
  prompt: string;
  negative_prompt: string | null;
  ratio: string | null;
  resolution: string | null;
  duration: number | null;
  sample_strength: number | null;
  intelligent_ratio: boolean | null;
  input_images: string[];
  generation_status: number;
  site_used: string | number | null;
  image_urls?: string[];
  video_urls?: string[];
  thumbnail_urls: string[];
  /** §6.4: files of image records (video records: video_local_paths), as paths under the data directory. */
  image_local_paths?: string[];
  video_local_paths?: string[];
  account_id: string | null;
  account_name: string | null;
  /** §6.4: the session id the record was generated with, masked like accounts' session ids. */
  original_session_id: string | null;
  /** Seconds with decimals (millisecond precision). */
  generation_time: number | null;
  site_switch_count: number;
  retry_count: number;
  error_message: string | null;
  callback_url: string | null;
  create_time: string | null;
  /** create_time and update_time as ISO 8601 instants (see isoInstant). */
  create_time_iso: string | null;
  update_time_iso: string | null;
  update_time: string | null;
}

/** Milliseconds → seconds with three decimals, as the API reports times. */
export const msToSeconds = (ms: number): number => Math.round(ms) / 1000;

const parseList = (value: string | null): string[] => {
  if (!value) return [];
  try {
    const parsed = JSON.parse(value);
    return Array.isArray(parsed) ? parsed.map(String) : [];
  } catch {
    return [];
  }
};

/** Contract 003 §6 and §7.2: storyboard records, their details and statistics. */
export class JimengRecordService {
  constructor(private readonly deps: Deps) {}

  assertStaff(actor: Actor): void {
    if (!isStaff(actor)) throw new ForbiddenError('Only staff can use the Jimeng studio');
  }

  /** Staff see their own records (003's rule); admins see all. */
  ownership(actor: Actor): Ownership {
    return isAdmin(actor) ? {} : { ownerId: actor.id };
  }

  /** `YYYY-MM-DD HH:mm:ss` (or a date) in the contract's zone → instant. */
  parseTime(value: string, field: string): Date {
    const match = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(value.trim());
    if (!match) throw new ValidationError(`${field} must look like YYYY-MM-DD HH:mm:ss`);
    const [, y, mo, d, h = '0', mi = '0', s = '0'] = match;
    const instant = zonedTimeToInstant(
      { year: Number(y), month: Number(mo), day: Number(d), hour: Number(h), minute: Number(mi) },
      this.deps.timeZone,
    );
    return new Date(instant.getTime() + Number(s) * 1000);
  }

  /**
   * One bound of the creation-time filter: the contract's wall-clock `field` (in the contract's zone)
   * or `<field>_iso`, an instant; not both, since they could disagree.
   */
  private bound(zoned: string | undefined, iso: string | undefined, field: string): Date | null {
    if (zoned && iso) throw new ValidationError(`Give ${field} or ${field}_iso, not both`);
    if (zoned) return this.parseTime(zoned, field);
    if (!iso) return null;
    const instant = new Date(iso);
    if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(iso.trim()) || Number.isNaN(instant.getTime()))
      throw new ValidationError(
        `${field}_iso must be an ISO 8601 instant with an offset, e.g. 2024-12-18T02:00:00Z`,
      );
    return instant;
  }

  async list(
    actor: Actor,
    query: {
      type: 'image' | 'video';
      work_id?: string;
      page: number;
      size: number;
      generation_status?: number;
      start_time?: string;
      end_time?: string;
      /** The same bounds as instants (ISO 8601 with an offset), for clients in any zone. */
      start_time_iso?: string;
      end_time_iso?: string;
    },
  ) {
    this.assertStaff(actor);
    const start = this.bound(query.start_time, query.start_time_iso, 'start_time');
    const end = this.bound(query.end_time, query.end_time_iso, 'end_time');
    const { rows, total: count } = await this.deps.studio.recordPage(
      {
        type: query.type,
        ...this.ownership(actor),
        workId: query.work_id,
        status: query.generation_status,
        createdFrom: start,
        createdTo: end,
      },
      { offset: (query.page - 1) * query.size, limit: query.size },
    );
    return { total: count, page: query.page, size: query.size, list: await this.views(rows) };
  }

  async detail(actor: Actor, type: 'image' | 'video', id: string): Promise<RecordView> {
    this.assertStaff(actor);
    const row = await this.deps.studio.liveRecord(id, type, this.ownership(actor));
    if (!row) throw new NotFoundError('Record');
    return (await this.views([row]))[0];
  }

  /** Logical delete of the actor's own records; their media files are removed too (§6.3 step 3). */
  async remove(actor: Actor, type: 'image' | 'video', ids: string[]): Promise<{ success_count: number }> {
    this.assertStaff(actor);
    const rows = await this.deps.studio.liveRecords(ids, type, this.ownership(actor));
    if (rows.length === 0) return { success_count: 0 };
    const affected = await this.deps.studio.deleteRecords(
      rows.map((row) => row.id),
      actor.id,
      this.deps.clock.now(),
    );
    for (const row of rows)
      await this.deps.audit.record(
        actor,
        'jimeng_record.delete',
        { kind: 'jimeng_record', id: row.id },
        {
          type: row.type,
          work_id: row.work_id,
          storyboard_id: row.storyboard_id,
          batch_id: row.batch_id,
          task_id: row.task_id,
          generation_status: row.generation_status,
          prompt: row.prompt,
        },
      );
    return { success_count: affected };
  }

  /** §6.5: each storyboard's latest record, null when it has none. */
  async latestByStoryboard(
    actor: Actor,
    input: { type: 'image' | 'video'; work_id: string; storyboard_ids: string[] },
  ) {
    this.assertStaff(actor);
    const rows = await this.deps.studio.storyboardRecords({
      type: input.type,
      workId: input.work_id,
      storyboardIds: input.storyboard_ids,
      ...this.ownership(actor),
    });
    const views = await this.views(rows);
    const latest = new Map<string, RecordView>();
    for (const view of views) if (!latest.has(view.storyboard_id)) latest.set(view.storyboard_id, view);
    return {
      records: input.storyboard_ids.map((storyboardId) => {
        const view = latest.get(storyboardId);
        return {
          storyboard_id: storyboardId,
          record: view
            ? {
                id: view.id,
                generation_status: view.generation_status,
                ...(input.type === 'image'
                  ? { image_urls: view.image_urls }
                  : { video_urls: view.video_urls }),
                thumbnail_urls: view.thumbnail_urls,
                error_message: view.error_message,
                create_time: view.create_time,
                update_time: view.update_time,
              }
            : null,
        };
      }),
    };
  }

  /** §7.2: totals, success rate, average time and daily stats by date range and work. */
  async statistics(actor: Actor, query: { work_id?: string; date_range?: 'today' | 'week' | 'month' }) {
    this.assertStaff(actor);
    const days = query.date_range === 'today' ? 1 : query.date_range === 'month' ? 30 : 7;
    const now = this.deps.clock.now();
    const zone = this.deps.timeZone;
    const today = formatZoned(now, zone)!.slice(0, 10);
    const [y, m, d] = today.split('-').map(Number);
    const since = zonedTimeToInstant({ year: y, month: m, day: d - (days - 1), hour: 0, minute: 0 }, zone);
    const rows = await this.deps.studio.recordStats({
      since,
      ...this.ownership(actor),
      workId: query.work_id,
    });
    const of = (status: number) => rows.filter((row) => row.generation_status === status);
    const completed = of(RecordStatus.completed);
    const times = completed
      .map((row) => row.generation_time_ms)
      .filter((value): value is number => value !== null);
    const daily = new Map<string, { image: number; video: number; ok: number }>();
    for (let offset = days - 1; offset >= 0; offset -= 1) {
      const date = formatZoned(new Date(now.getTime() - offset * 86_400_000), zone)!.slice(0, 10);
      daily.set(date, { image: 0, video: 0, ok: 0 });
    }
    for (const row of rows) {
      const bucket = daily.get(formatZoned(new Date(row.create_time), zone)!.slice(0, 10));
      if (!bucket) continue;
      if (row.type === 'image') bucket.image += 1;
      else bucket.video += 1;
      if (row.generation_status === RecordStatus.completed) bucket.ok += 1;
    }
    const round = (value: number) => Math.round(value * 1000) / 1000;
    // The contract's arithmetic: total = completed + failed + pending (+ cancelled, which it does not
    // know), success_rate = completed / total (80 of 100 → 0.8), for the totals and for each day.
    return {
      total_tasks: rows.length,
      completed_tasks: completed.length,
      failed_tasks: of(RecordStatus.failed).length,
      pending_tasks: of(RecordStatus.pending).length + of(RecordStatus.processing).length,
      cancelled_tasks: of(RecordStatus.cancelled).length,
      success_rate: rows.length ? round(completed.length / rows.length) : 0,
      avg_generation_time: times.length ? msToSeconds(times.reduce((a, b) => a + b, 0) / times.length) : 0,
      daily_stats: [...daily.entries()].map(([date, bucket]) => ({
        date,
        image_count: bucket.image,
        video_count: bucket.video,
        success_rate: bucket.image + bucket.video ? round(bucket.ok / (bucket.image + bucket.video)) : 0,
      })),
    };
  }

  /** Builds contract views with media URLs and the producing account, in three queries for a page. */
  async views(
    rows: JimengRecord[],
    options: {
      withMedia?: boolean;
      accounts?: AccountLabel[];
    } = {},
  ): Promise<RecordView[]> {
    const taskIds = rows.map((row) => row.task_id).filter((id): id is string => !!id);
    const assets =
      taskIds.length && options.withMedia !== false ? await this.deps.studio.mediaOfTasks(taskIds) : [];
    const byTask = new Map<string, MediaAssetRecord[]>();
    for (const asset of assets) byTask.set(asset.task_id!, [...(byTask.get(asset.task_id!) ?? []), asset]);
    const accountIds = [...new Set(rows.map((row) => row.account_id).filter((id): id is string => !!id))];
    const accounts = options.accounts
      ? options.accounts
      : accountIds.length
        ? await this.deps.studio.accountLabels(accountIds)
        : [];
    const accountName = new Map(accounts.map((account) => [account.id, account.name]));
    const accountMask = new Map(accounts.map((account) => [account.id, account.secret_mask ?? null]));
    const zone = this.deps.timeZone;
    return rows.map((row) => {
      const stored =
        row.generation_status === RecordStatus.completed ? (byTask.get(row.task_id ?? '') ?? []) : [];
      const media = stored.map((asset) => this.deps.media.view(asset));
      const urls = media.map((item) => item.url);
      // Where each file lives: its storage key under the data directory's media store (also the
      // path part of its URL). Not the host's absolute path, which says nothing to a client.
      const localPaths = stored.map((asset) => `/media/${asset.storage_key}`);
      return {
        id: row.id,
        project_id: row.project_id,
        project_name: row.project_name,
        storyboard_id: row.storyboard_id,
        work_id: row.work_id,
        batch_id: row.batch_id,
        task_id: row.task_id,
        type: row.type,
        mode: row.mode,
        model: row.model,
        prompt: row.prompt,
        negative_prompt: row.negative_prompt,
        ratio: row.ratio,
        resolution: row.resolution,
        duration: row.duration,
        sample_strength: row.sample_strength,
        intelligent_ratio: row.intelligent_ratio,
        input_images: parseList(row.input_images),
        generation_status: row.generation_status,
        site_used: row.site_used === '0' ? 0 : (row.site_used ?? null),
        ...(row.type === 'image'
          ? { image_urls: urls, image_local_paths: localPaths }
          : { video_urls: urls, video_local_paths: localPaths }),
        thumbnail_urls: media.map((item) => item.thumbnailUrl).filter((url): url is string => !!url),
        account_id: row.account_id ?? null,
        account_name: row.account_id ? (accountName.get(row.account_id) ?? null) : null,
        original_session_id:
          row.original_session_mask ?? (row.account_id ? (accountMask.get(row.account_id) ?? null) : null),
        generation_time:
          typeof row.generation_time_ms === 'number' ? msToSeconds(row.generation_time_ms) : null,
        site_switch_count: row.site_switch_count,
        retry_count: row.retry_count,
        error_message: row.error_message ?? null,
        callback_url: row.callback_url,
        create_time: formatZoned(row.create_time, zone),
        update_time: formatZoned(row.update_time, zone),
        create_time_iso: isoInstant(row.create_time),
        update_time_iso: isoInstant(row.update_time),
      };
    });
  }
}
