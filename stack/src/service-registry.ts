import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "@carebridge/testing";

/**
 * How a service or function declares itself to the local stacks, in its package.json:
 *
 *   "carebridge": {
 *     "kind": "service",                 // or "function"
 *     "name": "appointments",
 *     "prefixes": ["/api/doctors", "/api/slots", "/api/appointments"],
 *     "embedded": "./src/embedded.ts",   // default export: (ctx: EmbeddedContext) => Promise<EmbeddedService>
 *     "main": "./src/main.ts",           // its own process in `bun run dev:real` (env: PORT, DATABASE_URL, …)
 *     "database": "postgres"             // "postgres" | "dynamodb" | "none"
 *   }
 *
 * The stacks mount whichever services exist; nothing else needs to know about them.
 */
export interface ServiceDescriptor {
  kind: "service" | "function";
  name: string;
  dir: string;
  prefixes: string[];
  embedded: string;
  main: string;
  database: "postgres" | "dynamodb" | "none";
}

/** Services and functions found under services/ and functions/, in name order. */
export function discoverServices(root = repoRoot()): ServiceDescriptor[] {
  const found: ServiceDescriptor[] = [];
  for (const folder of ["services", "functions"]) {
    const base = join(root, folder);
    if (!existsSync(base)) continue;
    for (const entry of readdirSync(base)) {
      const manifest = join(base, entry, "package.json");
      if (!existsSync(manifest)) continue;
      const declared = JSON.parse(readFileSync(manifest, "utf8")).carebridge;
      if (!declared) continue;
      const dir = join(base, entry);
      found.push({
        kind: declared.kind ?? (folder === "services" ? "service" : "function"),
        name: declared.name ?? entry,
        dir,
        prefixes: declared.prefixes ?? [],
        embedded: join(dir, declared.embedded ?? "src/embedded.ts"),
        main: join(dir, declared.main ?? "src/main.ts"),
        database: declared.database ?? "none",
      });
    }
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}
