/**
 * Writes `schemas/<type>.v<version>.json` for every schema version in use. With `--publish` it
 * also writes `published/<type>.v<version>.json` for versions not yet published; it never
 * overwrites a published snapshot (that is what the compatibility test guards).
 */
import { mkdir, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { schemaFileName, toJsonSchema } from "../src/json-schema.ts";
import { schemaVersions } from "../src/versions.ts";

const root = join(import.meta.dir, "..");
const schemasDir = join(root, "schemas");
const publishedDir = join(root, "published");
const publish = process.argv.includes("--publish");

const serialize = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

await mkdir(schemasDir, { recursive: true });
const expected = new Set<string>();
const newlyPublished: string[] = [];
for (const { type, version } of schemaVersions()) {
  const fileName = schemaFileName(type, version);
  const document = serialize(toJsonSchema(type, version));
  expected.add(fileName);
  await Bun.write(join(schemasDir, fileName), document);
  if (publish && !(await Bun.file(join(publishedDir, fileName)).exists())) {
    await Bun.write(join(publishedDir, fileName), document);
    newlyPublished.push(fileName);
  }
}
for (const stale of (await readdir(schemasDir)).filter((f) => !expected.has(f))) {
  await rm(join(schemasDir, stale));
}

console.log(`wrote ${expected.size} schemas to ${schemasDir}`);
if (publish)
  console.log(`published ${newlyPublished.length} new version(s): ${newlyPublished.join(", ") || "none"}`);
