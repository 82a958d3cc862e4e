/**
 * Items handled in batches, one batch at a time: a batch leaves when it is full, or `windowMs`
 * after an item starts waiting; `flush` handles what waits now. Items wait in the queue (bounded
 * by `maxQueued`: more are refused and counted), not in pending handlers. The timer does not keep
 * the process alive, so an orderly stop flushes.
 */
export interface BatchQueueOptions<T> {
  /** Longest an item waits for others to share its batch (ms). */
  readonly windowMs: number;
  /** Items per batch. */
  readonly maxBatch: number;
  /** Items that may wait; more are refused (default: no bound). */
  readonly maxQueued?: number;
  /** Handles one batch; `refused` counts the items refused since the previous batch. Must not reject. */
  readonly handle: (batch: T[], refused: number) => Promise<void>;
}

/** A queue that hands its items to `handle` in batches (see `BatchQueueOptions`). */
export class BatchQueue<T> {
  readonly #o: BatchQueueOptions<T>;
  #queue: T[] = [];
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #refused = 0;

  constructor(options: BatchQueueOptions<T>) {
    this.#o = options;
  }

  /** Queues `item`; false when the queue is full and it was refused. */
  add(item: T): boolean {
    if (this.#queue.length >= (this.#o.maxQueued ?? Infinity)) {
      this.#refused++;
      return false;
    }
    this.#queue.push(item);
    // A running handler loop takes it; otherwise a full batch goes now, a partial one later.
    if (this.#running !== undefined) return true;
    if (this.#queue.length >= this.#o.maxBatch) void this.#run();
    else this.#timer ??= setTimeout(() => void this.#run(), this.#o.windowMs).unref();
    return true;
  }

  /** Handles everything waiting now, and waits for the batch being handled. */
  async flush(): Promise<void> {
    while (this.#queue.length > 0 || this.#running !== undefined) await this.#run();
  }

  #run(): Promise<void> {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#running ??= (async () => {
      try {
        while (this.#queue.length > 0) {
          const batch = this.#queue.splice(0, this.#o.maxBatch);
          const refused = this.#refused;
          this.#refused = 0;
          await this.#o.handle(batch, refused);
        }
      } finally {
        this.#running = undefined;
      }
    })();
    return this.#running;
  }
}
