import type { Logger } from "pino";

/** Every role an access token can carry. */
export const ROLES = ["patient", "doctor", "analyst", "admin", "service"] as const;
/** A caller's role. */
export type Role = (typeof ROLES)[number];

/** The authenticated caller, from a verified access token. */
export interface Principal {
  /** The token's `sub`. */
  userId: string;
  role: Role;
  /** The token's `jti`. */
  tokenId: string;
}

/** The Hono environment of every Carebridge app: what middleware puts on `c.var`. */
export interface AppEnv {
  Variables: {
    requestId: string;
    /** A child of the app logger bound to this request's id. */
    logger: Logger;
    /** Set by `requireAuth`. */
    principal?: Principal;
  };
}
