// What one command may cost the agent, and what all commands in flight may hold together. A client can
// grow a command's work without bound (a namespace of 20,000 pods, `describe` making one request per
// object), so every loop over pages, objects and apiserver requests draws on these budgets, and running
// out is a clear answer that says how to narrow the command, never an agent that runs out of memory.

import type { KubeClient, KubeResponse, RequestOptions } from './kube-client.js';
import { NARROW_HINT } from './output-limit.js';

/** The largest apiserver response body read for one request (a page of a list, one object). */
export const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
/** Apiserver requests one command may make (`describe pods` makes one per pod for its events). */
export const DEFAULT_MAX_REQUESTS = 1_000;
/** Apiserver response bytes all commands in flight may hold at once. */
export const DEFAULT_MEMORY_BUDGET_BYTES = 48 * 1024 * 1024;
/** Response bytes one command may hold at once (pages it still works on, objects it keeps to sort). */
export const DEFAULT_COMMAND_MEMORY_BYTES = 16 * 1024 * 1024;
/** The most items asked for per list page, whatever --chunk-size says: a page is held whole in memory. */
export const MAX_PAGE_ITEMS = 500;

export interface CommandBudget {
  maxResponseBytes: number;
  maxRequests: number;
  /** Response bytes this command may hold at once. */
  maxHeldBytes: number;
}

export const DEFAULT_COMMAND_BUDGET: CommandBudget = {
  maxResponseBytes: DEFAULT_MAX_RESPONSE_BYTES,
  maxRequests: DEFAULT_MAX_REQUESTS,
  maxHeldBytes: DEFAULT_COMMAND_MEMORY_BYTES,
};

export type BudgetKind = 'response' | 'requests' | 'command-memory' | 'agent-memory';

/** A budget ran out. The text is the command's error line, as a person or a model should read it. */
export class BudgetExceededError extends Error {
  readonly kind: BudgetKind;
  constructor(kind: BudgetKind, message: string) {
    super(message);
    this.name = 'BudgetExceededError';
    this.kind = kind;
  }
}

const mib = (bytes: number) => `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MiB`;

/** Bytes held by every command in flight; each command draws through its own Lease. */
export class MemoryPool {
  private usedBytes = 0;
  constructor(readonly capacityBytes: number = DEFAULT_MEMORY_BUDGET_BYTES) {}

  get used(): number {
    return this.usedBytes;
  }

  lease(maxHeldBytes: number): Lease {
    return new Lease(this, maxHeldBytes);
  }

  /** @internal Lease's side of the accounting. */
  grant(bytes: number): boolean {
    if (this.usedBytes + bytes > this.capacityBytes) return false;
    this.usedBytes += bytes;
    return true;
  }

  /** @internal */
  giveBack(bytes: number): void {
    this.usedBytes = Math.max(0, this.usedBytes - bytes);
  }
}

/** One command's share of the pool: taken as response bytes arrive, given back as pages are done. */
export class Lease {
  private heldBytes = 0;
  private closed = false;
  constructor(
    private readonly pool: MemoryPool,
    private readonly maxHeldBytes: number,
  ) {}

  get held(): number {
    return this.heldBytes;
  }

  /** Throws BudgetExceededError when this command or the agent would hold too much. */
  take(bytes: number): void {
    if (this.closed) throw new BudgetExceededError('command-memory', 'error: the command has ended');
    if (this.heldBytes + bytes > this.maxHeldBytes) {
      throw new BudgetExceededError(
        'command-memory',
        `error: the command needs more than the ${mib(this.maxHeldBytes)} of apiserver data one command may hold; ${NARROW_HINT}`,
      );
    }
    if (!this.pool.grant(bytes)) {
      throw new BudgetExceededError(
        'agent-memory',
        `error: the agent is holding its limit of ${mib(this.pool.capacityBytes)} of apiserver data for the commands in flight; try again shortly, or ${NARROW_HINT}`,
      );
    }
    this.heldBytes += bytes;
  }

  give(bytes: number): void {
    const back = Math.min(bytes, this.heldBytes);
    this.heldBytes -= back;
    this.pool.giveBack(back);
  }

  close(): void {
    this.give(this.heldBytes);
    this.closed = true;
  }
}

/** A KubeClient that draws on one command's budgets; `release` gives a finished response's bytes back. */
export interface BudgetedKubeClient extends KubeClient {
  readonly requests: number;
  release(response: KubeResponse): void;
}

export function budgetedClient(kube: KubeClient, budget: CommandBudget, lease: Lease): BudgetedKubeClient {
  let requests = 0;
  const released = new WeakSet<KubeResponse>();
  function count(path: string): void {
    requests++;
    if (requests > budget.maxRequests) {
      throw new BudgetExceededError(
        'requests',
        `error: the command needs more than ${budget.maxRequests} apiserver requests (stopped before ${path.split('?')[0]}); ${NARROW_HINT}`,
      );
    }
  }
  const drawing = (options: RequestOptions | undefined): RequestOptions => ({
    ...options,
    maxBytes: Math.min(options?.maxBytes ?? Number.POSITIVE_INFINITY, budget.maxResponseBytes),
    onBytes: (n) => lease.take(n),
  });
  return {
    get server() {
      return kube.server;
    },
    get requests() {
      return requests;
    },
    async get(path, options) {
      count(path);
      return kube.get(path, drawing(options));
    },
    async stream(path, options) {
      count(path);
      // A stream is cut (truncated), not refused, at its byte cap.
      return kube.stream(path, {
        ...drawing(options),
        maxBytes: Math.min(options.maxBytes, budget.maxResponseBytes),
      });
    },
    async open(path, options) {
      count(path);
      // A stream's bytes are bounded by the stream's own cap and its flow control, not held here.
      return kube.open(path, options);
    },
    release(response) {
      if (released.has(response)) return;
      released.add(response);
      lease.give(response.bytes);
    },
    close() {
      // The shared client outlives the command.
    },
  };
}
