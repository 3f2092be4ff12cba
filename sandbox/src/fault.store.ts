import { PROVIDERS, SandboxInputError, type FaultSpec, type ProviderName } from './sandbox.types.js';

export interface PendingFault extends FaultSpec {
  id: number;
  remaining: number;
}

/**
 * Checks that a fault names something the provider can produce; each provider module supplies
 * its own checker so a typo fails at injection time, not silently at request time.
 */
export type FaultValidator = (fault: FaultSpec) => string | undefined;

/** Ordered queue of injected failures for one sandbox instance. */
export class FaultStore {
  private faults: PendingFault[] = [];
  private nextId = 1;

  constructor(private readonly validators: Record<ProviderName, FaultValidator>) {}

  /** Adds a fault; throws SandboxInputError when it cannot be produced. */
  inject(spec: FaultSpec): PendingFault {
    if (!PROVIDERS.includes(spec.provider)) {
      throw new SandboxInputError(`provider must be one of ${PROVIDERS.join(', ')}`);
    }
    if (spec.code === undefined && spec.kind === undefined)
      throw new SandboxInputError('a fault needs a code or a kind');
    const count = spec.count ?? 1;
    if (!Number.isInteger(count) || count < 1)
      throw new SandboxInputError('count must be a positive integer');
    const problem = this.validators[spec.provider](spec);
    if (problem) throw new SandboxInputError(problem);
    const fault: PendingFault = { ...spec, id: this.nextId++, remaining: count };
    this.faults.push(fault);
    return fault;
  }

  /**
   * Consumes the first matching fault, if any. A fault without `endpoint` only hits the
   * provider's generation endpoints (`generation` true), so a points or credit check made
   * before generating does not swallow a fault meant for the generation itself.
   */
  take(
    provider: ProviderName,
    credential: string | undefined,
    endpoint: string,
    generation: boolean,
  ): FaultSpec | undefined {
    const index = this.faults.findIndex(
      (fault) =>
        fault.provider === provider &&
        (fault.credential === undefined || fault.credential === credential) &&
        (fault.endpoint === undefined ? generation : fault.endpoint === endpoint),
    );
    if (index < 0) return undefined;
    const fault = this.faults[index];
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults.splice(index, 1);
    const { id: _id, remaining: _remaining, ...spec } = fault;
    return spec;
  }

  list(): PendingFault[] {
    return this.faults.map((fault) => ({ ...fault }));
  }

  clear(): void {
    this.faults = [];
  }
}
