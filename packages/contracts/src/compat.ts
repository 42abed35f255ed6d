import {
  acceptsNull,
  allowedValues,
  asNode,
  asRecord,
  type Bound,
  constrainsType,
  lowerBound,
  numberAt,
  type SchemaNode,
  strings,
  typesOf,
  upperBound,
  variants,
} from "./json-schema-node.ts";

/** A JSON Schema or subschema as read from a file: an object of keywords, or a boolean schema. */
export type JsonSchema = boolean | { readonly [keyword: string]: unknown };

/** Keywords this check does not analyse: any change to them is reported, to be reviewed by a person. */
const UNANALYSED = [
  "allOf",
  "not",
  "if",
  "then",
  "else",
  "$ref",
  "prefixItems",
  "dependentRequired",
] as const;

/**
 * Lists the changes from a published JSON Schema to the current one that could break a producer
 * or consumer of the published version: removed properties (or required ones made optional),
 * changed or narrowed types, newly required properties, removed enum values, added or changed
 * formats and patterns, removed nullability, tightened bounds, recursively through objects, arrays
 * and unions. Additive changes (new optional properties, new enum values, loosened constraints)
 * are not listed.
 */
export function breakingChanges(published: JsonSchema, current: JsonSchema): string[] {
  const changes: string[] = [];
  compare(published, current, "", changes);
  return changes;
}

function compare(published: unknown, current: unknown, path: string, out: string[]): void {
  if (published === false) return;
  if (current === false) {
    out.push(`${at(path)}: no longer accepts any value`);
    return;
  }
  const p = asNode(published);
  const c = asNode(current);
  for (const keyword of UNANALYSED) {
    if (c[keyword] !== undefined && JSON.stringify(p[keyword]) !== JSON.stringify(c[keyword])) {
      out.push(`${at(path)}: "${keyword}" changed (not analysed automatically; treat as breaking)`);
    }
  }
  if (acceptsNull(p) && !acceptsNull(c) && constrainsType(p)) out.push(`${at(path)}: no longer nullable`);
  const pVariants = variants(p);
  const cVariants = variants(c);
  if (pVariants.length > 0 && cVariants.length === 0) {
    out.push(`${at(path)}: type changed from ${describeVariants(pVariants)} to null`);
    return;
  }
  if (cVariants.length === 1) {
    for (const variant of pVariants) compareVariant(variant, cVariants[0]!, path, out);
    return;
  }
  for (const variant of pVariants) {
    const kept = cVariants.some((candidate) => {
      const probe: string[] = [];
      compareVariant(variant, candidate, path, probe);
      return probe.length === 0;
    });
    if (!kept) out.push(`${at(path)}: union member ${describeVariants([variant])} no longer accepted`);
  }
}

function compareVariant(p: SchemaNode, c: SchemaNode, path: string, out: string[]): void {
  const pTypes = typesOf(p);
  const cTypes = typesOf(c);
  if (cTypes !== undefined) {
    if (pTypes === undefined) {
      out.push(`${at(path)}: type narrowed from any to ${[...cTypes].join("|")}`);
      return;
    }
    const lost = [...pTypes].filter((t) => !cTypes.has(t) && !(t === "integer" && cTypes.has("number")));
    if (lost.length > 0) {
      out.push(`${at(path)}: type changed from ${[...pTypes].join("|")} to ${[...cTypes].join("|")}`);
      return;
    }
  }
  compareValues(p, c, path, out);
  compareString(p, c, "format", path, out);
  compareString(p, c, "pattern", path, out);
  compareBounds(p, c, path, out);
  compareObject(p, c, path, out);
  compareArray(p, c, path, out);
}

function compareValues(p: SchemaNode, c: SchemaNode, path: string, out: string[]): void {
  const pValues = allowedValues(p);
  const cValues = allowedValues(c);
  if (cValues === undefined) return;
  if (pValues === undefined) {
    out.push(`${at(path)}: restricted to the values ${list(cValues)}`);
    return;
  }
  const cKeys = new Set(cValues.map((v) => JSON.stringify(v)));
  const removed = pValues.filter((v) => !cKeys.has(JSON.stringify(v)));
  if (removed.length > 0) out.push(`${at(path)}: enum value(s) removed: ${list(removed)}`);
}

function compareString(
  p: SchemaNode,
  c: SchemaNode,
  keyword: "format" | "pattern",
  path: string,
  out: string[],
): void {
  const before = p[keyword];
  const after = c[keyword];
  if (after === undefined || after === before) return;
  out.push(
    before === undefined
      ? `${at(path)}: ${keyword} ${JSON.stringify(after)} added`
      : `${at(path)}: ${keyword} changed from ${JSON.stringify(before)} to ${JSON.stringify(after)}`,
  );
}

function compareBounds(p: SchemaNode, c: SchemaNode, path: string, out: string[]): void {
  const integer = typesOf(c)?.has("integer") === true && typesOf(c)?.size === 1;
  const pLow = lowerBound(p, integer);
  const cLow = lowerBound(c, integer);
  if (
    cLow &&
    (!pLow || cLow.value > pLow.value || (cLow.value === pLow.value && cLow.exclusive && !pLow.exclusive))
  ) {
    out.push(
      `${at(path)}: lower bound ${pLow ? `raised from ${bound(pLow, ">")}` : "added"} to ${bound(cLow, ">")}`,
    );
  }
  const pHigh = upperBound(p, integer);
  const cHigh = upperBound(c, integer);
  if (
    cHigh &&
    (!pHigh ||
      cHigh.value < pHigh.value ||
      (cHigh.value === pHigh.value && cHigh.exclusive && !pHigh.exclusive))
  ) {
    out.push(
      `${at(path)}: upper bound ${pHigh ? `lowered from ${bound(pHigh, "<")}` : "added"} to ${bound(cHigh, "<")}`,
    );
  }
  for (const keyword of ["minLength", "minItems", "minProperties"] as const) {
    const before = numberAt(p, keyword) ?? 0;
    const after = numberAt(c, keyword) ?? 0;
    if (after > before) out.push(`${at(path)}: ${keyword} raised from ${before} to ${after}`);
  }
  for (const keyword of ["maxLength", "maxItems", "maxProperties"] as const) {
    const before = numberAt(p, keyword) ?? Number.POSITIVE_INFINITY;
    const after = numberAt(c, keyword) ?? Number.POSITIVE_INFINITY;
    if (after < before) out.push(`${at(path)}: ${keyword} lowered from ${before} to ${after}`);
  }
  const pStep = numberAt(p, "multipleOf");
  const cStep = numberAt(c, "multipleOf");
  if (cStep !== undefined && (pStep === undefined || pStep % cStep !== 0)) {
    out.push(`${at(path)}: multipleOf ${cStep} ${pStep === undefined ? "added" : `replaces ${pStep}`}`);
  }
  if (c.uniqueItems === true && p.uniqueItems !== true) out.push(`${at(path)}: uniqueItems added`);
}

function compareObject(p: SchemaNode, c: SchemaNode, path: string, out: string[]): void {
  const pProps = asRecord(p.properties);
  const cProps = asRecord(c.properties);
  for (const [name, schema] of Object.entries(pProps)) {
    const child = join(path, name);
    if (!(name in cProps)) out.push(`${at(child)}: property removed`);
    else compare(schema, cProps[name], child, out);
  }
  const pRequired = new Set(strings(p.required));
  const cRequired = new Set(strings(c.required));
  for (const name of cRequired) {
    if (pRequired.has(name)) continue;
    const child = join(path, name);
    out.push(`${at(child)}: ${name in pProps ? "optional property made required" : "new required property"}`);
  }
  // Consumers of the published version rely on a required property: making it optional is half a removal.
  for (const name of pRequired) {
    if (!cRequired.has(name) && name in cProps)
      out.push(`${at(join(path, name))}: required property made optional`);
  }
  const pExtra = p.additionalProperties;
  const cExtra = c.additionalProperties;
  if (cExtra === false && pExtra !== false) {
    out.push(`${at(path)}: additional properties no longer allowed`);
  } else if (cExtra !== undefined && cExtra !== true && cExtra !== false) {
    compare(pExtra ?? true, cExtra, `${path}{*}`, out);
  }
}

function compareArray(p: SchemaNode, c: SchemaNode, path: string, out: string[]): void {
  if (c.items === undefined) return;
  compare(p.items ?? true, c.items, `${path}[]`, out);
}

function bound(b: Bound, side: ">" | "<"): string {
  return `${side}${b.exclusive ? "" : "="} ${b.value}`;
}

function describeVariants(nodes: readonly SchemaNode[]): string {
  return nodes.map((n) => [...(typesOf(n) ?? ["any"])].join("|")).join(" or ");
}

function list(values: readonly unknown[]): string {
  return values.map((v) => JSON.stringify(v)).join(", ");
}

function join(path: string, name: string): string {
  return path === "" ? name : `${path}.${name}`;
}

function at(path: string): string {
  return path === "" ? "(root)" : path;
}
