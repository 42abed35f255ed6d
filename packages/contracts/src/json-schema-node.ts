// Readers over JSON Schema nodes, for the compatibility check.

/** A JSON Schema node: its keywords. */
export type SchemaNode = { readonly [keyword: string]: unknown };

/** A numeric bound; `exclusive` for `exclusiveMinimum`/`exclusiveMaximum`. */
export type Bound = { readonly value: number; readonly exclusive: boolean };

/** The keywords of a schema; boolean and malformed schemas read as `{}`. */
export function asNode(schema: unknown): SchemaNode {
  return isRecord(schema) ? schema : {};
}

/** An object value, or `{}` for anything else. */
export function asRecord(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The strings of an array value (`[]` for anything else). */
export function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/** A numeric keyword, if present. */
export function numberAt(node: SchemaNode, keyword: string): number | undefined {
  const value = node[keyword];
  return typeof value === "number" ? value : undefined;
}

function unionOf(node: SchemaNode): SchemaNode[] | undefined {
  const members = node.anyOf ?? node.oneOf;
  return Array.isArray(members) ? members.map(asNode) : undefined;
}

function typeList(node: SchemaNode): string[] | undefined {
  if (typeof node.type === "string") return [node.type];
  return Array.isArray(node.type) ? strings(node.type) : undefined;
}

/** Whether the node restricts what values it takes (otherwise it accepts anything, null included). */
export function constrainsType(node: SchemaNode): boolean {
  return (
    typeList(node) !== undefined || node.enum !== undefined || "const" in node || unionOf(node) !== undefined
  );
}

/** Whether the node accepts `null`. */
export function acceptsNull(node: SchemaNode): boolean {
  if (!constrainsType(node)) return true;
  const members = unionOf(node);
  if (members) return members.some(acceptsNull);
  const types = typeList(node);
  if (types && !types.includes("null")) return false;
  const values = node.enum ?? ("const" in node ? [node.const] : undefined);
  return !Array.isArray(values) || values.includes(null);
}

/** The non-null alternatives a node accepts (unions flattened, `null` stripped from types and enums). */
export function variants(node: SchemaNode): SchemaNode[] {
  const members = unionOf(node);
  if (members) return members.flatMap(variants);
  if (!constrainsType(node)) return [node];
  const types = typeList(node);
  const values = Array.isArray(node.enum) ? node.enum : "const" in node ? [node.const] : undefined;
  const nonNullTypes = types?.filter((t) => t !== "null");
  const nonNullValues = values?.filter((v) => v !== null);
  if (nonNullTypes?.length === 0 || nonNullValues?.length === 0) return [];
  const { const: _const, ...rest } = node;
  return [
    {
      ...rest,
      ...(nonNullTypes ? { type: nonNullTypes } : {}),
      ...(nonNullValues ? { enum: nonNullValues } : {}),
    },
  ];
}

/** The non-null JSON types a node accepts, or undefined when unrestricted. */
export function typesOf(node: SchemaNode): Set<string> | undefined {
  const types = typeList(node);
  if (types) return new Set(types.filter((t) => t !== "null"));
  const values = allowedValues(node);
  if (!values) return undefined;
  return new Set(values.map((v) => (typeof v === "number" && Number.isInteger(v) ? "integer" : jsonType(v))));
}

function jsonType(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (value === null) return "null";
  return typeof value === "number" ? "number" : typeof value;
}

/** The non-null values an `enum`/`const` allows, or undefined when unrestricted. */
export function allowedValues(node: SchemaNode): unknown[] | undefined {
  if (Array.isArray(node.enum)) return node.enum.filter((v) => v !== null);
  return "const" in node && node.const !== null ? [node.const] : undefined;
}

/** The effective lower bound of a number (integers use inclusive bounds). */
export function lowerBound(node: SchemaNode, integer: boolean): Bound | undefined {
  return tightest(numberAt(node, "minimum"), numberAt(node, "exclusiveMinimum"), integer, 1);
}

/** The effective upper bound of a number (integers use inclusive bounds). */
export function upperBound(node: SchemaNode, integer: boolean): Bound | undefined {
  return tightest(numberAt(node, "maximum"), numberAt(node, "exclusiveMaximum"), integer, -1);
}

function tightest(
  inclusive: number | undefined,
  exclusive: number | undefined,
  integer: boolean,
  sign: 1 | -1,
) {
  const candidates: Bound[] = [];
  if (inclusive !== undefined) candidates.push({ value: inclusive, exclusive: false });
  if (exclusive !== undefined) {
    candidates.push(
      integer ? { value: exclusive + sign, exclusive: false } : { value: exclusive, exclusive: true },
    );
  }
  return candidates.reduce<Bound | undefined>((best, b) => {
    if (!best) return b;
    const tighter = sign * b.value > sign * best.value || (b.value === best.value && b.exclusive);
    return tighter ? b : best;
  }, undefined);
}
