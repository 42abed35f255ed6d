/**
 * The bench's load generator in its own Bun process, so the client's CPU is not spent on the
 * server's JS thread. Reads a {@link LoadSpec} from stdin; `concurrency` keep-alive loops (Bun's
 * fetch pools connections) send GETs, loop i sending `requests[(i + k) % n]` as its k-th; prints a
 * {@link LoadResult} counting only 200s as done.
 */

/** What one load run asks for. */
export interface LoadSpec {
  requests: Array<{ url: string; headers?: Record<string, string> }>;
  concurrency: number;
  seconds: number;
}

/** What one load run did: the measured rate, and every request answered 200 (warm-up included). */
export interface LoadResult {
  rate: number;
  /** 200s in the measured window and in the warm-up before it. */
  ok: number;
  failed: number;
}

/** Runs `spec` in a child Bun process; resolves its rate (requests answered 200 per second). */
export async function loadFromChild(spec: LoadSpec): Promise<LoadResult> {
  const child = Bun.spawn([process.execPath, import.meta.path], {
    stdin: "pipe",
    stdout: "pipe",
    stderr: "inherit",
  });
  child.stdin.write(JSON.stringify(spec));
  await child.stdin.end();
  const out = await new Response(child.stdout).text();
  if ((await child.exited) !== 0) throw new Error(`load process failed: ${out}`);
  const result = JSON.parse(out) as LoadResult;
  if (result.failed > 0) throw new Error(`${result.failed} requests failed during the load`);
  return result;
}

/** Sends `spec`'s load from this process. */
export async function load(spec: LoadSpec): Promise<LoadResult> {
  const n = spec.requests.length;
  let done = 0;
  let failed = 0;
  const send = async (k: number) => {
    const { url, headers } = spec.requests[k % n]!;
    const res = await fetch(url, { headers });
    await res.arrayBuffer();
    if (res.status === 200) done++;
    else failed++;
  };
  // Open the keep-alive connections first, outside the measured window.
  await Promise.all(Array.from({ length: spec.concurrency }, (_, i) => send(i)));
  const warm = done;
  const started = performance.now();
  const deadline = started + spec.seconds * 1000;
  await Promise.all(
    Array.from({ length: spec.concurrency }, async (_, i) => {
      for (let k = i; performance.now() < deadline; k++) await send(k);
    }),
  );
  return { rate: (done - warm) / ((performance.now() - started) / 1000), ok: done, failed };
}

if (import.meta.main) {
  const spec = JSON.parse(await Bun.stdin.text()) as LoadSpec;
  process.stdout.write(JSON.stringify(await load(spec)));
}
