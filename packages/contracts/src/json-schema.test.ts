import { describe, expect, test } from "bun:test";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { parseSchemaFileName, schemaFileName, toJsonSchema } from "./json-schema.ts";
import { dataschemaOf, EVENT_TYPE_NAMES } from "./registry.ts";
import { schemaVersions } from "./versions.ts";

const schemasDir = join(import.meta.dir, "..", "schemas");

function collect(node: unknown, keyword: string): unknown[] {
  if (typeof node !== "object" || node === null) return [];
  const own = keyword in node ? [(node as Record<string, unknown>)[keyword]] : [];
  return [...own, ...Object.values(node).flatMap((child) => collect(child, keyword))];
}

describe("toJsonSchema", () => {
  test("identifies each schema by its dataschema URN and targets draft 2020-12", () => {
    for (const type of EVENT_TYPE_NAMES) {
      expect(toJsonSchema(type)).toMatchObject({
        $schema: "https://json-schema.org/draft/2020-12/schema",
        $id: dataschemaOf(type),
        type: "object",
      });
    }
  });

  test("leaves objects open, so old consumers accept additive fields", () => {
    for (const type of EVENT_TYPE_NAMES)
      expect(collect(toJsonSchema(type), "additionalProperties")).toEqual([]);
  });

  test("carries the wire formats consumers in other languages need", () => {
    const properties = (toJsonSchema("claim.submitted") as { properties: Record<string, object> }).properties;
    expect(properties.claimId).toMatchObject({ type: "string", format: "uuid" });
    expect(properties.occurredAt).toMatchObject({ type: "string", format: "date-time" });
    expect(properties.currency).toMatchObject({ pattern: "^[A-Z]{3}$" });
    expect(properties.amountCents).toMatchObject({ type: "integer", exclusiveMinimum: 0 });
    expect(properties.memberId).toMatchObject({ anyOf: [{ type: "string" }, { type: "null" }] });
  });

  test("refuses a version that does not exist", () => {
    expect(() => toJsonSchema("appointment.booked", 99)).toThrow("no schema for appointment.booked v99");
  });
});

describe("schema file names", () => {
  test("round-trip type and version", () => {
    expect(schemaFileName("appointment.no-show", 3)).toBe("appointment.no-show.v3.json");
    expect(parseSchemaFileName("appointment.no-show.v3.json")).toEqual({
      type: "appointment.no-show",
      version: 3,
    });
    for (const name of ["README.md", "appointment.booked.json", "appointment.booked.v0.json"]) {
      expect(parseSchemaFileName(name)).toBeUndefined();
    }
  });
});

describe("schemas/", () => {
  test("holds exactly the current schema of every version (run `bun run export-schemas` to refresh)", async () => {
    const expected = schemaVersions().map((v) => schemaFileName(v.type, v.version));
    expect((await readdir(schemasDir)).toSorted()).toEqual(expected.toSorted());
    for (const { type, version } of schemaVersions()) {
      const file = await Bun.file(join(schemasDir, schemaFileName(type, version))).json();
      expect(
        file,
        `schemas/${schemaFileName(type, version)} is stale: run \`bun run export-schemas\``,
      ).toEqual(toJsonSchema(type, version));
    }
  });
});
