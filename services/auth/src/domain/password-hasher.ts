import { availableParallelism } from "node:os";
import { serviceUnavailable } from "@carebridge/http";

/** argon2id at the OWASP minimum (19 MiB, 2 iterations; Bun's parallelism is 1). */
export const ARGON2ID = { algorithm: "argon2id", memoryCost: 19_456, timeCost: 2 } as const;

/** Hashes and verifies passwords through a bounded queue. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, hash: string): Promise<boolean>;
  /** Verifies against a throwaway hash, so an unknown account costs as much as a wrong password. */
  verifyDummy(password: string): Promise<false>;
  /** Hashes running now and callers waiting (metrics, tests). */
  stats(): { running: number; waiting: number };
}

/** Options of {@link createPasswordHasher}. */
export interface PasswordHasherOptions {
  /** Hashes at once. Default os.availableParallelism(). */
  concurrency?: number;
  /**
   * Callers allowed to wait; beyond it → 503. Default 2000: a waiting caller holds no argon2
   * memory (only the `concurrency` running hashes do, 19 MiB each), so 500 parallel sign-ins all
   * complete, in turn, instead of being turned away.
   */
  maxQueue?: number;
}

/**
 * At most `concurrency` argon2id runs at once (each holds 19 MiB), the rest wait in a FIFO; a
 * caller arriving at a full queue gets a retriable 503 instead of exhausting memory.
 */
export function createPasswordHasher(options: PasswordHasherOptions = {}): PasswordHasher {
  const concurrency = options.concurrency ?? availableParallelism();
  const maxQueue = options.maxQueue ?? 2_000;
  const waiting: Array<() => void> = [];
  let running = 0;

  const run = async <T>(work: () => Promise<T>): Promise<T> => {
    if (running >= concurrency) {
      if (waiting.length >= maxQueue) {
        throw serviceUnavailable("Too many sign-ins at once; try again shortly.", {
          code: "hasher-busy",
          retriable: true,
          headers: { "Retry-After": "1" },
        });
      }
      await new Promise<void>((resolve) => waiting.push(resolve));
    } else {
      running++;
    }
    try {
      return await work();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };

  let dummy: Promise<string> | undefined;
  const dummyHash = () => {
    dummy ??= Bun.password.hash(crypto.randomUUID(), ARGON2ID);
    return dummy;
  };

  return {
    stats: () => ({ running, waiting: waiting.length }),
    hash: (password) => run(() => Bun.password.hash(password, ARGON2ID)),
    verify: (password, hash) => run(() => Bun.password.verify(password, hash)),
    async verifyDummy(password) {
      const hash = await dummyHash();
      await run(() => Bun.password.verify(password, hash));
      return false;
    },
  };
}
