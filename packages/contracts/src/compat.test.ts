import { describe, expect, test } from "bun:test";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { breakingChanges, type JsonSchema } from "./compat.ts";
import { parseSchemaFileName, schemaFileName, toJsonSchema } from "./json-schema.ts";
import { isEventType } from "./registry.ts";
import { schemaFor, schemaVersions } from "./versions.ts";

const publishedDir = join(import.meta.dir, "..", "published");

const str = { type: "string" };
const int = { type: "integer" };
const nullable = (type: string) => ({ type: [type, "null"] });
const obj = (properties: Record<string, JsonSchema>, required = Object.keys(properties)) => ({
  type: "object",
  properties,
  required,
});

type Case = readonly [name: string, published: JsonSchema, current: JsonSchema, expected: readonly string[]];

const breaking: readonly Case[] = [
  ["a property removed", obj({ a: str, b: str }), obj({ a: str }), ["b: property removed"]],
  ["an optional property removed", obj({ a: str, b: str }, ["a"]), obj({ a: str }), ["b: property removed"]],
  ["a type changed", obj({ a: str }), obj({ a: int }), ["a: type changed from string to integer"]],
  [
    "number narrowed to integer",
    obj({ a: { type: "number" } }),
    obj({ a: int }),
    ["a: type changed from number to integer"],
  ],
  ["any narrowed to a type", obj({ a: {} }), obj({ a: str }), ["a: type narrowed from any to string"]],
  [
    "an optional property made required",
    obj({ a: str, b: str }, ["a"]),
    obj({ a: str, b: str }),
    ["b: optional property made required"],
  ],
  [
    "a required property made optional",
    obj({ a: str, b: str }),
    obj({ a: str, b: str }, ["a"]),
    ["b: required property made optional"],
  ],
  ["a new required property", obj({ a: str }), obj({ a: str, b: str }), ["b: new required property"]],
  [
    "enum values removed",
    obj({ s: { type: "string", enum: ["open", "paid", "void"] } }),
    obj({ s: { type: "string", enum: ["open", "paid"] } }),
    ['s: enum value(s) removed: "void"'],
  ],
  [
    "a const changed",
    obj({ v: { const: "1.0" } }),
    obj({ v: { const: "2.0" } }),
    ['v: enum value(s) removed: "1.0"'],
  ],
  [
    "a free string restricted to an enum",
    obj({ s: str }),
    obj({ s: { type: "string", enum: ["a"] } }),
    ['s: restricted to the values "a"'],
  ],
  [
    "a format added",
    obj({ id: str }),
    obj({ id: { type: "string", format: "uuid" } }),
    ['id: format "uuid" added'],
  ],
  [
    "a format changed",
    obj({ t: { type: "string", format: "date-time" } }),
    obj({ t: { type: "string", format: "date" } }),
    ['t: format changed from "date-time" to "date"'],
  ],
  [
    "a pattern added",
    obj({ c: str }),
    obj({ c: { type: "string", pattern: "^[A-Z]{3}$" } }),
    ['c: pattern "^[A-Z]{3}$" added'],
  ],
  [
    "nullable removed (type list)",
    obj({ m: nullable("string") }),
    obj({ m: str }),
    ["m: no longer nullable"],
  ],
  [
    "nullable removed (anyOf)",
    obj({ m: { anyOf: [{ type: "string", minLength: 1 }, { type: "null" }] } }),
    obj({ m: { type: "string", minLength: 1 } }),
    ["m: no longer nullable"],
  ],
  [
    "only null left",
    obj({ m: nullable("string") }),
    obj({ m: { type: "null" } }),
    ["m: type changed from string to null"],
  ],
  [
    "an array's item type changed",
    obj({ tags: { type: "array", items: str } }),
    obj({ tags: { type: "array", items: int } }),
    ["tags[]: type changed from string to integer"],
  ],
  [
    "nested objects in arrays, recursively",
    obj({
      analytes: {
        type: "array",
        items: obj({ flag: { type: "string", enum: ["L", "N", "H"] }, refLow: nullable("number") }),
      },
    }),
    obj({
      analytes: {
        type: "array",
        items: obj({ flag: { type: "string", enum: ["N", "H"] }, refLow: { type: "number" } }),
      },
    }),
    ['analytes[].flag: enum value(s) removed: "L"', "analytes[].refLow: no longer nullable"],
  ],
  [
    "a nested object's property removed",
    obj({ insurance: obj({ planId: str, memberId: nullable("string") }) }),
    obj({ insurance: obj({ planId: str }) }),
    ["insurance.memberId: property removed"],
  ],
  [
    "a lower bound raised (non-negative to positive)",
    obj({ n: { type: "number", minimum: 0 } }),
    obj({ n: { type: "number", exclusiveMinimum: 0 } }),
    ["n: lower bound raised from >= 0 to > 0"],
  ],
  [
    "an upper bound added",
    obj({ n: int }),
    obj({ n: { type: "integer", maximum: 10 } }),
    ["n: upper bound added to <= 10"],
  ],
  [
    "lengths tightened",
    obj({ s: { type: "string", maxLength: 100 }, l: { type: "array", items: str } }),
    obj({
      s: { type: "string", minLength: 1, maxLength: 50 },
      l: { type: "array", items: str, minItems: 1 },
    }),
    [
      "s: minLength raised from 0 to 1",
      "s: maxLength lowered from 100 to 50",
      "l: minItems raised from 0 to 1",
    ],
  ],
  [
    "additional properties forbidden",
    obj({ a: str }),
    { ...obj({ a: str }), additionalProperties: false },
    ["(root): additional properties no longer allowed"],
  ],
  [
    "a union member removed",
    obj({ v: { anyOf: [str, int] } }),
    obj({ v: { anyOf: [str, { type: "boolean" }] } }),
    ["v: union member integer no longer accepted"],
  ],
  [
    "a keyword it cannot analyse",
    obj({ a: str }),
    { ...obj({ a: str }), allOf: [{}] },
    ['(root): "allOf" changed (not analysed automatically; treat as breaking)'],
  ],
  ["a schema that accepts nothing", obj({ a: str }), false, ["(root): no longer accepts any value"]],
];

const additive: readonly Case[] = [
  ["an unchanged schema", obj({ a: str }), obj({ a: str }), []],
  ["a new optional property", obj({ a: str }), obj({ a: str, b: str }, ["a"]), []],
  [
    "a new enum value",
    obj({ s: { type: "string", enum: ["a"] } }),
    obj({ s: { type: "string", enum: ["a", "b"] } }),
    [],
  ],
  ["made nullable", obj({ m: str }), obj({ m: nullable("string") }), []],
  ["integer widened to number", obj({ n: int }), obj({ n: { type: "number" } }), []],
  [
    "bounds loosened or dropped",
    obj({
      n: { type: "integer", minimum: 1, maximum: 10 },
      s: { type: "string", minLength: 2, maxLength: 5 },
    }),
    obj({ n: { type: "integer", minimum: 0 }, s: { type: "string", minLength: 1 } }),
    [],
  ],
  [
    "an integer bound rewritten without changing it",
    obj({ n: { type: "integer", exclusiveMinimum: 0 } }),
    obj({ n: { type: "integer", minimum: 1 } }),
    [],
  ],
  [
    "a format, pattern or enum dropped",
    obj({ s: { type: "string", format: "email", pattern: "@" }, e: { type: "string", enum: ["a"] } }),
    obj({ s: str, e: str }),
    [],
  ],
  [
    "annotations changed",
    obj({ a: { ...str, description: "old" } }),
    { ...obj({ a: { ...str, description: "new" } }), title: "t" },
    [],
  ],
  [
    "a union member added",
    obj({ v: { anyOf: [str, int] } }),
    obj({ v: { anyOf: [str, int, { type: "boolean" }] } }),
    [],
  ],
  ["additional properties allowed", { ...obj({ a: str }), additionalProperties: false }, obj({ a: str }), []],
];

describe("breakingChanges", () => {
  test.each(breaking)("catches %s", (_name, published, current, expected) => {
    expect(breakingChanges(published, current)).toEqual([...expected]);
  });

  test.each(additive)("accepts %s", (_name, published, current, expected) => {
    expect(breakingChanges(published, current)).toEqual([...expected]);
  });
});

function howToPublish(type: string, version: number): string {
  const next = schemaFileName(type, version + 1);
  return [
    `Published schemas are immutable: make the change additive (a new optional field, a new enum value, a looser constraint), or publish ${type} v${version + 1}:`,
    `  1. keep v${version} readable: move its schema, unchanged, into PREVIOUS_VERSIONS (src/versions.ts);`,
    `  2. register the new schema in EVENT_TYPES (src/registry.ts) with version: ${version + 1};`,
    `  3. run \`bun run publish-schemas\` in packages/contracts to write published/${next}, and commit it.`,
  ].join("\n");
}

describe("published schemas", async () => {
  const files = (await readdir(publishedDir)).filter((f) => f.endsWith(".json")).toSorted();

  test("published/ holds snapshots", () => {
    expect(files.length).toBeGreaterThan(0);
  });

  for (const file of files) {
    test(`${file} is still honoured by the current schema`, async () => {
      const id = parseSchemaFileName(file);
      expect(id, `published/${file} is not named <type>.v<version>.json`).toBeDefined();
      if (!id) return;
      const { type, version } = id;
      expect(
        isEventType(type) && schemaFor(type, version) !== undefined,
        `${type} v${version} was published but is no longer registered; removing a published version is a breaking change.\n${howToPublish(type, version)}`,
      ).toBe(true);
      if (!isEventType(type)) return;
      const changes = breakingChanges(
        await Bun.file(join(publishedDir, file)).json(),
        toJsonSchema(type, version),
      );
      const report = `${type} v${version} breaks its published schema (published/${file}):\n${changes.map((c) => `  - ${c}`).join("\n")}\n${howToPublish(type, version)}`;
      expect(changes, report).toEqual([]);
    });
  }

  test("every registered event version has a published snapshot", () => {
    const unpublished = schemaVersions()
      .map((v) => schemaFileName(v.type, v.version))
      .filter((f) => !files.includes(f));
    expect(
      unpublished,
      `unpublished event versions: ${unpublished.join(", ")}; run \`bun run publish-schemas\` in packages/contracts and commit published/`,
    ).toEqual([]);
  });
});
