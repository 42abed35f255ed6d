/**
 * dynalite in its own Bun process, so the emulator's CPU is not spent on the server's JS thread
 * (in production DynamoDB is another machine). Run as a script it listens on a free loopback port,
 * prints `{"port": n}` and exits when its stdin closes (its parent is gone).
 */
import dynalite from "dynalite";

/** A dynalite subprocess. */
export interface DynaliteProcess {
  endpoint: string;
  stop(): Promise<void>;
}

/** Spawns dynalite in a child Bun process and waits until it listens. */
export async function startDynaliteProcess(): Promise<DynaliteProcess> {
  const child = Bun.spawn([process.execPath, import.meta.path], {
    stdin: "pipe",
    stdout: "pipe",
    stderr: "inherit",
  });
  const reader = child.stdout.getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`dynalite process exited early (${await child.exited})`);
    text += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  const { port } = JSON.parse(text.split("\n")[0]!) as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async stop() {
      child.kill();
      await child.exited;
    },
  };
}

if (import.meta.main) {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  server.listen(0, "127.0.0.1", () => {
    process.stdout.write(`${JSON.stringify({ port: (server.address() as { port: number }).port })}\n`);
  });
  // Stop with the parent: its end of our stdin closes however it ends.
  (async () => {
    const stdin = Bun.stdin.stream().getReader();
    while (!(await stdin.read()).done) {
      // nothing is sent; only the end matters
    }
    process.exit(0);
  })();
}
