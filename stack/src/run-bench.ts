/**
 * `bun run bench`: starts PostgreSQL and Kafka like the tests, runs every `*.bench.ts`, prints each
 * figure (ratios against baselines measured in the same run) and writes docs/benchmarks.md.
 *   bun run bench                   # all
 *   bun run bench packages/kafka    # only benches under a path
 */
import { rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import {
  type Bench,
  type BenchResult,
  cacheDir,
  clusterDir,
  meetsTarget,
  perRunDir,
  ratioOf,
  repoRoot,
  startKafkaBroker,
  startPostgresServer,
} from "@carebridge/testing";

const root = repoRoot();
const filters = process.argv.slice(2);
const files = [
  ...new Bun.Glob("{packages,services,functions,analytics}/**/*.bench.ts").scanSync({ cwd: root }),
]
  .filter((f) => !f.includes("node_modules/"))
  .filter((f) => filters.length === 0 || filters.some((p) => f.startsWith(p)))
  .sort();

// Per run: two runs at once must not delete each other's servers.
const pgDir = perRunDir("bench-pg", dirname(clusterDir("bench-pg")));
const kafkaDir = perRunDir("bench-kafka", cacheDir());
rmSync(pgDir, { recursive: true, force: true });
const [postgres, kafka] = await Promise.all([
  startPostgresServer({ dataDir: pgDir }),
  startKafkaBroker({ dataDir: kafkaDir, heapMb: 1024, fresh: true, watchdog: true }),
]);

const sections: Array<{ file: string; results: BenchResult[] }> = [];
try {
  for (const file of files) {
    console.log(`bench: ${file}`);
    const bench = (await import(join(root, file))).default as Bench;
    const results = await bench({ postgresUrl: postgres.url, kafkaBrokers: kafka.brokers });
    for (const r of results) console.log(`  ${describe(r)}`);
    sections.push({ file, results });
  }
} finally {
  await Promise.all([postgres.stop(), kafka.stop()]);
  rmSync(pgDir, { recursive: true, force: true });
  rmSync(kafkaDir, { recursive: true, force: true });
}

function fmt(n: number) {
  return n >= 100 ? Math.round(n).toLocaleString("en-US") : n.toFixed(2);
}
function describe(r: BenchResult) {
  const ratio = ratioOf(r);
  const vs = r.baseline ? ` vs ${r.baseline.name} ${fmt(r.baseline.value)} → ratio ${ratio!.toFixed(2)}` : "";
  const target =
    r.target?.kind === "ratio-at-least"
      ? ` (target ≥ ${r.target.value}×)`
      : r.target?.kind === "at-most"
        ? ` (target ≤ ${r.target.value} ${r.unit})`
        : "";
  return `${meetsTarget(r) ? "ok  " : "MISS"} ${r.name}: ${fmt(r.value)} ${r.unit}${vs}${target}`;
}

const all = sections.flatMap((s) => s.results);
const cpu =
  (
    await Bun.file("/proc/cpuinfo")
      .text()
      .catch(() => "")
  ).match(/model name\s*:\s*(.*)/)?.[1] ?? "unknown CPU";
const lines = [
  "# Benchmarks",
  "",
  "Measured by `bun run bench` (stack/src/run-bench.ts) against a throwaway PostgreSQL server and a",
  "single-node Kafka broker it starts itself. Ratios compare against a baseline measured in the same",
  "run on the same machine, because absolute numbers on a shared 2-core machine are noisy.",
  "",
  `Last run: ${new Date().toISOString()} · Bun ${Bun.version} · ${navigator.hardwareConcurrency} cores · ${cpu}`,
  "",
  "| | figure | value | baseline (same run) | ratio | target |",
  "|---|---|---|---|---|---|",
  ...all.map((r) => {
    const ratio = ratioOf(r);
    const target =
      r.target?.kind === "ratio-at-least"
        ? `≥ ${r.target.value}×`
        : r.target?.kind === "at-most"
          ? `≤ ${r.target.value} ${r.unit}`
          : "reported";
    return `| ${meetsTarget(r) ? "✅" : "❌"} | ${r.name} | ${fmt(r.value)} ${r.unit} | ${r.baseline ? `${r.baseline.name}: ${fmt(r.baseline.value)} ${r.unit}` : "—"} | ${ratio === null ? "—" : `${ratio.toFixed(2)}×`} | ${target} |`;
  }),
  "",
  ...all.filter((r) => r.notes).map((r) => `- **${r.name}**: ${r.notes}`),
  "",
];
if (filters.length === 0) writeFileSync(join(root, "docs/benchmarks.md"), lines.join("\n"));
const missed = all.filter((r) => !meetsTarget(r));
console.log(`${all.length - missed.length} passed, ${missed.length} failed`);
process.exit(missed.length > 0 ? 1 : 0);
