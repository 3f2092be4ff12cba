/** Credits a never-seen kie.ai key starts with. */
export const KIE_DEFAULT_CREDITS = 1000;

export type KieState = 'waiting' | 'queuing' | 'generating' | 'success' | 'fail';

export interface KieKey {
  key: string;
  valid: boolean;
  credits: number;
}

export interface KieKeyPatch {
  valid?: boolean;
  credits?: number;
}

export interface KieTask {
  taskId: string;
  key: string;
  model: string;
  /** The request as kie echoes it: a JSON string with numeric inputs turned into strings. */
  param: string;
  input: Record<string, unknown>;
  callBackUrl?: string;
  createTime: number;
  /** Length of each of the waiting → queuing → generating stages, fixed at creation. */
  stageMs: number;
  /** Terminal once the completion timer ran. */
  state: KieState;
  resultUrls: string[];
  failCode: string | null;
  failMsg: string | null;
  completeTime: number | null;
  costTime: number | null;
  /** Planned outcome decided at creation (faults, prompt markers). */
  plan: { fail?: { code: string; msg: string }; suppressCallback: boolean };
  timer?: NodeJS.Timeout;
}

/** kie.ai keys and tasks of one sandbox instance. */
export class KieStore {
  private readonly keys = new Map<string, KieKey>();
  readonly tasks = new Map<string, KieTask>();

  key(key: string): KieKey {
    let entry = this.keys.get(key);
    if (!entry) {
      entry = { key, valid: true, credits: KIE_DEFAULT_CREDITS };
      this.keys.set(key, entry);
    }
    return entry;
  }

  setKey(key: string, patch: KieKeyPatch): KieKey {
    const entry = this.key(key);
    if (patch.valid !== undefined) entry.valid = patch.valid;
    if (patch.credits !== undefined) entry.credits = patch.credits;
    return entry;
  }

  /** The state a poller sees now: terminal after completion, else derived from elapsed time. */
  stateAt(task: KieTask, now: number): KieState {
    if (task.state === 'success' || task.state === 'fail') return task.state;
    const elapsed = now - task.createTime;
    if (elapsed < task.stageMs) return 'waiting';
    if (elapsed < 2 * task.stageMs) return 'queuing';
    return 'generating';
  }

  listKeys(): KieKey[] {
    return [...this.keys.values()].map((key) => ({ ...key }));
  }

  clear(): void {
    for (const task of this.tasks.values()) clearTimeout(task.timer);
    this.tasks.clear();
    this.keys.clear();
  }
}
