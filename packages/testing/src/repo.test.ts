import { expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { perRunDir } from "./repo.ts";

test("perRunDir: this run's own folder; folders of dead runs removed, of live runs and other names kept", () => {
  const parent = mkdtempSync(join(tmpdir(), "per-run-"));
  try {
    const dead = Bun.spawnSync(["true"]).pid; // exited: its pid is gone
    for (const name of [
      `test-run-pg-${dead}`,
      `test-run-pg-${process.ppid}`,
      `bench-pg-${dead}`,
      "test-run-pg",
    ]) {
      mkdirSync(join(parent, name));
    }
    expect(perRunDir("test-run-pg", parent)).toBe(join(parent, `test-run-pg-${process.pid}`));
    expect(existsSync(join(parent, `test-run-pg-${dead}`))).toBe(false);
    expect(existsSync(join(parent, `test-run-pg-${process.ppid}`))).toBe(true);
    expect(existsSync(join(parent, `bench-pg-${dead}`))).toBe(true);
    expect(existsSync(join(parent, "test-run-pg"))).toBe(true);
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});
