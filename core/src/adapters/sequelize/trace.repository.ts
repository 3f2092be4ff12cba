import { Op } from 'sequelize';
import type {
  TracedAccount,
  TracedIdentity,
  TracedLedgerEntry,
  TracedNanobananaTask,
  TracedUser,
  TraceRepository,
} from '../../trace/trace.repository.js';
import type {
  FanOutItemRecord,
  GenerationTaskRecord,
  ProviderJobRecord,
} from '../../generation/engine/repositories.js';
import type { JimengRecord } from '../../jimeng/jimeng.repository.js';
import type { MediaAssetRecord } from '../../media/media-asset.js';
import type { AnimeModels } from './anime.models.js';
import type { JimengModels } from './jimeng.models.js';
import type { DreamloomModels } from './models.js';
import type { NanobananaModels } from './nanobanana.models.js';

type TraceModels = Pick<
  DreamloomModels,
  'GenerationTask' | 'MediaAsset' | 'ProviderAccount' | 'User' | 'Identity'
> &
  Pick<JimengModels, 'JimengRecord'> &
  Pick<AnimeModels, 'ProviderJob' | 'CreditLedger'> &
  Pick<NanobananaModels, 'NanobananaTask' | 'TaskCredential' | 'TaskItem'>;

/** The staff trace's reads on Sequelize: the queries TraceService ran before its port, one per method. */
export class SequelizeTraceRepository implements TraceRepository {
  constructor(private readonly models: TraceModels) {}

  task(id: string): Promise<GenerationTaskRecord | null> {
    return this.models.GenerationTask.findByPk(id);
  }

  providerJobByUpstream(upstreamId: string): Promise<ProviderJobRecord | null> {
    return this.models.ProviderJob.findOne({ where: { upstream_id: upstreamId } });
  }

  providerJobs(taskId: string): Promise<ProviderJobRecord[]> {
    return this.models.ProviderJob.findAll({ where: { task_id: taskId } });
  }

  jimengRecord(id: string): Promise<JimengRecord | null> {
    return this.models.JimengRecord.findByPk(id);
  }

  jimengRecordOfTask(taskId: string): Promise<JimengRecord | null> {
    return this.models.JimengRecord.findOne({ where: { task_id: taskId } });
  }

  nanobananaTask(taskId: string): Promise<TracedNanobananaTask | null> {
    return this.models.NanobananaTask.findByPk(taskId);
  }

  media(id: string): Promise<MediaAssetRecord | null> {
    return this.models.MediaAsset.findByPk(id);
  }

  mediaByStorageKey(key: string): Promise<MediaAssetRecord | null> {
    return this.models.MediaAsset.findOne({ where: { storage_key: key } });
  }

  mediaByThumbnailKey(key: string): Promise<MediaAssetRecord | null> {
    return this.models.MediaAsset.findOne({ where: { thumbnail_key: key } });
  }

  outputs(taskId: string): Promise<MediaAssetRecord[]> {
    return this.models.MediaAsset.findAll({ where: { task_id: taskId }, order: [['position', 'ASC']] });
  }

  accounts(ids: string[]): Promise<TracedAccount[]> {
    return this.models.ProviderAccount.findAll({ where: { id: { [Op.in]: ids } } });
  }

  async sealedCredential(taskId: string): Promise<string | null> {
    const credential = await this.models.TaskCredential.findByPk(taskId);
    return credential ? credential.secret_enc : null;
  }

  items(taskId: string, options: { failedOnly?: boolean } = {}): Promise<FanOutItemRecord[]> {
    return this.models.TaskItem.findAll({
      where: options.failedOnly ? { task_id: taskId, error_message: { [Op.ne]: null } } : { task_id: taskId },
      order: [['position', 'ASC']],
    });
  }

  ledger(taskId: string): Promise<TracedLedgerEntry[]> {
    return this.models.CreditLedger.findAll({ where: { task_id: taskId }, order: [['created_at', 'ASC']] });
  }

  user(id: string): Promise<TracedUser | null> {
    return this.models.User.findByPk(id);
  }

  identities(userId: string): Promise<TracedIdentity[]> {
    return this.models.Identity.findAll({ where: { user_id: userId }, order: [['created_at', 'ASC']] });
  }
}
