import { z } from "zod";
import { dataschemaOf, EVENT_TYPES, type EventType } from "./registry.ts";
import { schemaFor } from "./versions.ts";

/** A JSON Schema document (draft 2020-12). */
export type JsonSchemaDocument = { readonly [keyword: string]: unknown };

/**
 * The JSON Schema (draft 2020-12) of an event type's data, at its current version unless given.
 * It describes what may be written to the topic (`io: "input"`): objects stay open to additive fields.
 */
export function toJsonSchema(
  type: EventType,
  version: number = EVENT_TYPES[type].version,
): JsonSchemaDocument {
  const schema = schemaFor(type, version);
  if (schema === undefined) throw new Error(`no schema for ${type} v${version}`);
  const json = z.toJSONSchema(schema, { target: "draft-2020-12", io: "input", unrepresentable: "throw" });
  const { $schema, ...rest } = json;
  return { $schema, $id: dataschemaOf(type, version), title: `${type} v${version}`, ...rest };
}

/** The file name of a type's version in `schemas/` and `published/`, e.g. `appointment.booked.v1.json`. */
export function schemaFileName(type: string, version: number): string {
  return `${type}.v${version}.json`;
}

/** Reads a schema file name back into type and version; undefined when it is not one. */
export function parseSchemaFileName(fileName: string): { type: string; version: number } | undefined {
  const match = /^(?<type>[a-z][a-z.-]*)\.v(?<version>[1-9][0-9]*)\.json$/.exec(fileName);
  if (!match?.groups) return undefined;
  return { type: match.groups.type!, version: Number(match.groups.version) };
}
