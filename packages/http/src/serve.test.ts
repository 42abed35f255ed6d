import { describe, expect, test } from "bun:test";
import { createHttpApp } from "./app.ts";
import { mountAll } from "./mount-all.ts";
import { serve } from "./serve.ts";
import { captureLogger } from "./test-support.ts";

function slowApp() {
  const app = createHttpApp({ service: "test", logger: captureLogger().logger });
  let entered: () => void = () => {};
  const inFlight = new Promise<void>((resolve) => {
    entered = resolve;
  });
  let finish: () => void = () => {};
  const gate = new Promise<void>((resolve) => {
    finish = resolve;
  });
  app.get("/slow", async (c) => {
    entered();
    await gate;
    return c.json({ done: true });
  });
  return { app, inFlight, finish };
}

async function refused(url: URL): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(1000) });
    return false;
  } catch {
    return true;
  }
}

describe("serve", () => {
  test("serves the app on the given port", async () => {
    const { app } = slowApp();
    const handle = serve(app, { port: 0, hostname: "127.0.0.1", signals: [] });
    try {
      const res = await fetch(new URL("/healthz", handle.url));
      expect(res.status).toBe(200);
      expect(res.headers.get("x-request-id")).toBeTruthy();
    } finally {
      await handle.stop();
    }
  });

  test("stop() lets the in-flight request finish, then refuses connections", async () => {
    const { app, inFlight, finish } = slowApp();
    const handle = serve(app, { port: 0, hostname: "127.0.0.1", signals: [] });
    const pending = fetch(new URL("/slow", handle.url));
    await inFlight;
    const stopping = handle.stop();
    await Bun.sleep(20);
    finish();
    const res = await pending;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ done: true });
    await stopping;
    expect(await refused(new URL("/healthz", handle.url))).toBe(true);
  });

  test("SIGTERM drains and stops the server", async () => {
    const { app, inFlight, finish } = slowApp();
    const handle = serve(app, { port: 0, hostname: "127.0.0.1", signals: ["SIGTERM"] });
    const pending = fetch(new URL("/slow", handle.url));
    await inFlight;
    process.emit("SIGTERM");
    finish();
    expect((await pending).status).toBe(200);
    await handle.stopped;
    expect(process.listenerCount("SIGTERM")).toBe(0);
    expect(await refused(new URL("/healthz", handle.url))).toBe(true);
  });

  test("a request still running at the drain timeout is cut off", async () => {
    const { app, inFlight } = slowApp();
    const handle = serve(app, { port: 0, hostname: "127.0.0.1", signals: [], drainTimeoutMs: 50 });
    const pending = fetch(new URL("/slow", handle.url)).then(
      (res) => res.status,
      () => "aborted",
    );
    await inFlight;
    const started = performance.now();
    await handle.stop();
    expect(performance.now() - started).toBeLessThan(2000);
    expect(await pending).toBe("aborted");
  });

  test("serves a composite of several apps on one port", async () => {
    const logger = captureLogger().logger;
    const auth = createHttpApp({ service: "auth", logger });
    auth.get("/api/auth/me", (c) => c.json({ from: "auth" }));
    const billing = createHttpApp({ service: "billing", logger });
    billing.get("/api/invoices", (c) => c.json({ items: [], nextCursor: null }));
    const handle = serve(mountAll([auth, billing]), { port: 0, hostname: "127.0.0.1", signals: [] });
    try {
      expect(await (await fetch(new URL("/api/auth/me", handle.url))).json()).toEqual({ from: "auth" });
      expect((await fetch(new URL("/api/invoices", handle.url))).status).toBe(200);
      expect((await fetch(new URL("/api/nope", handle.url))).status).toBe(404);
    } finally {
      await handle.stop();
    }
  });
});
