import type { z } from "zod";
import { EVENT_TYPES, type EventType } from "./registry.ts";

/** One schema version of an event type. */
export interface SchemaVersion {
  readonly type: EventType;
  readonly version: number;
  readonly schema: z.ZodType;
}

/**
 * Earlier versions still readable (replaying the log, consumers not yet migrated). When a type
 * gets a new version, its previous schema moves here so its published snapshot stays checked.
 */
export const PREVIOUS_VERSIONS: readonly SchemaVersion[] = [];

/** Every schema version in use: the current one of each type and the previous ones. */
export function schemaVersions(): SchemaVersion[] {
  const current = Object.values(EVENT_TYPES).map(({ type, version, schema }) => ({ type, version, schema }));
  return [...current, ...PREVIOUS_VERSIONS];
}

/** The schema of an event type's version, or undefined if that version is unknown. */
export function schemaFor(type: string, version: number): z.ZodType | undefined {
  return schemaVersions().find((v) => v.type === type && v.version === version)?.schema;
}
