/**
 * `bun run test`: unit tests, then integration tests (*.int.test.ts) against one real PostgreSQL
 * server, one real Kafka broker and one DynamoDB Local (in memory) started for the whole run (and
 * stopped after), then e2e tests
 * (*.e2e.test.ts) when there are any. Prints failures and per-phase counts; the last line is
 * "N passed, N failed". Full output of each phase: .cache/test-logs/<phase>.log.
 *
 *   bun run test                 # everything
 *   bun run test unit            # one phase (unit | int | e2e)
 *   bun run test -- packages/kafka   # only files under a path
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import {
  cacheDir,
  clusterDir,
  perRunDir,
  repoRoot,
  startDynamoDbLocal,
  startKafkaBroker,
  startPostgresServer,
} from "@carebridge/testing";

type Phase = "unit" | "int" | "e2e";
const PHASES: Phase[] = ["unit", "int", "e2e"];
const root = repoRoot();
const args = process.argv.slice(2);
const onlyPhases = args.filter((a): a is Phase => (PHASES as string[]).includes(a));
const pathFilters = args.filter((a) => !(PHASES as string[]).includes(a));
const phases = onlyPhases.length ? onlyPhases : PHASES;

const SEARCH_ROOTS = ["packages", "services", "functions", "analytics", "stack", "frontend", "cdktf"];
const files = [
  ...new Bun.Glob("{packages,services,functions,analytics,stack,frontend,cdktf}/**/*.test.{ts,tsx}").scanSync(
    { cwd: root },
  ),
]
  .filter((f) => !f.includes("node_modules/") && SEARCH_ROOTS.some((r) => f.startsWith(r)))
  .filter(
    (f) => pathFilters.length === 0 || pathFilters.some((p) => f.startsWith(relative(root, join(root, p)))),
  )
  .sort();
const kindOf = (f: string): Phase =>
  f.includes(".int.test.") ? "int" : f.includes(".e2e.test.") ? "e2e" : "unit";

const logDir = cacheDir("test-logs");
mkdirSync(logDir, { recursive: true });

interface Counts {
  pass: number;
  fail: number;
  skip: number;
}
const total: Counts = { pass: 0, fail: 0, skip: 0 };
let broken = false;

async function runPhase(phase: Phase, env: Record<string, string>, timeoutMs: number) {
  const selected = files.filter((f) => kindOf(f) === phase);
  if (selected.length === 0) return;
  const started = performance.now();
  // Output goes straight to the log file, so a run that hangs can still be read while it runs.
  // Written under a per-run name (concurrent runs must not clobber each other), renamed at the end.
  const logFile = join(logDir, `${phase}.${process.pid}.log`);
  rmSync(logFile, { force: true }); // Bun.spawn writes into an existing file without truncating it
  rmSync(`${logFile}.err`, { force: true });
  const proc = Bun.spawn(["bun", "test", "--timeout", String(timeoutMs), ...selected.map((f) => `./${f}`)], {
    cwd: root,
    env: { ...process.env, ...env },
    stdout: Bun.file(logFile),
    stderr: Bun.file(`${logFile}.err`),
  });
  const code = await proc.exited;
  const output = `${readFileSync(logFile, "utf8")}\n${readFileSync(`${logFile}.err`, "utf8")}`;
  writeFileSync(join(logDir, `${phase}.log`), output);
  rmSync(logFile, { force: true });
  rmSync(`${logFile}.err`, { force: true });
  const count = (word: string) =>
    Number([...output.matchAll(new RegExp(`^\\s*(\\d+) ${word}$`, "gm"))].at(-1)?.[1] ?? 0);
  const counts = { pass: count("pass"), fail: count("fail"), skip: count("skip") };
  // Show what failed (with its error) and nothing of what passed.
  const lines = output.split("\n");
  const failures = lines.filter((l) => /^\(fail\)/.test(l));
  if (counts.fail > 0 || code !== 0) {
    const firstError = lines.findIndex((l) => /error:|^\(fail\)/.test(l));
    console.log(lines.slice(Math.max(0, firstError - 20), firstError + 40).join("\n"));
    for (const f of failures) console.log(f);
  }
  if (code !== 0 && counts.fail === 0) {
    broken = true;
    console.log(`${phase}: bun test exited ${code} (see ${relative(root, join(logDir, `${phase}.log`))})`);
  }
  total.pass += counts.pass;
  total.fail += counts.fail;
  total.skip += counts.skip;
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `${phase}: ${counts.pass} passed, ${counts.fail} failed, ${counts.skip} skipped in ${seconds}s (${selected.length} files)`,
  );
}

if (phases.includes("unit")) await runPhase("unit", {}, 30_000);

const needsInfra = phases.some((p) => p !== "unit" && files.some((f) => kindOf(f) === p));
if (needsInfra) {
  // Per run, so two runs at once (two terminals, two agents) never delete each other's servers.
  const pgDir = perRunDir("test-run-pg", dirname(clusterDir("test-run-pg")));
  const kafkaDir = perRunDir("test-run-kafka", cacheDir());
  rmSync(pgDir, { recursive: true, force: true });
  const started = performance.now();
  const [postgres, kafka, dynamodb] = await Promise.all([
    startPostgresServer({ dataDir: pgDir }),
    startKafkaBroker({ dataDir: kafkaDir, fresh: true, watchdog: true }),
    startDynamoDbLocal({ inMemory: true, watchdog: true }),
  ]);
  console.log(
    `infra: PostgreSQL, Kafka and DynamoDB Local up in ${((performance.now() - started) / 1000).toFixed(1)}s`,
  );
  const env = {
    CAREBRIDGE_TEST_PG_URL: postgres.url,
    CAREBRIDGE_TEST_KAFKA_BROKERS: kafka.brokers.join(","),
    CAREBRIDGE_TEST_DYNAMODB_ENDPOINT: dynamodb.endpoint,
  };
  try {
    if (phases.includes("int")) await runPhase("int", env, 120_000);
    if (phases.includes("e2e")) await runPhase("e2e", env, 120_000);
  } finally {
    await Promise.all([postgres.stop(), kafka.stop(), dynamodb.stop()]);
    rmSync(pgDir, { recursive: true, force: true });
    rmSync(kafkaDir, { recursive: true, force: true });
  }
}

const skipped = total.skip ? `, ${total.skip} skipped` : "";
console.log(`${total.pass} passed, ${total.fail} failed${skipped}`);
process.exit(total.fail > 0 || broken ? 1 : 0);
