declare module "dynalite" {
  import type { Server } from "node:http";

  interface DynaliteOptions {
    path?: string;
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
  }
  /** dynalite has no types of its own: the slice we use. */
  export default function dynalite(options?: DynaliteOptions): Server;
}

declare module "s3rver" {
  import type { EventEmitter } from "node:events";

  interface S3rverOptions {
    port?: number;
    address?: string;
    directory: string;
    silent?: boolean;
    configureBuckets?: Array<{ name: string; configs?: string[] }>;
  }
  /** s3rver has no types of its own: the slice we use. */
  export default class S3rver extends EventEmitter {
    constructor(options: S3rverOptions);
    run(): Promise<{ address: string; port: number }>;
    close(): Promise<void>;
  }
}
