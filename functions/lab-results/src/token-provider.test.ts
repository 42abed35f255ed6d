import { describe, expect, test } from "bun:test";
import { createTokenProvider, expiryOf, TokenError } from "./token-provider.ts";

const jwt = (exp: number | null, n: number) =>
  `h.${Buffer.from(JSON.stringify({ sub: "lab-results", ...(exp ? { exp } : {}) })).toString("base64url")}.s${n}`;

/** An auth endpoint in a function: counts requests, mints tokens expiring `ttl` s after the fake now. */
function setup(ttl: number | null = 900) {
  let now = Date.parse("2026-11-21T08:00:00Z");
  const requests: Array<{ url: string; body: unknown }> = [];
  let status = 200;
  const provider = createTokenProvider({
    authUrl: "http://auth.test/base-ignored",
    clientId: "lab-results",
    clientSecret: "s3cret",
    clock: () => new Date(now),
    fetch: async (url, init) => {
      requests.push({ url, body: JSON.parse(String(init?.body)) });
      await Bun.sleep(1);
      if (status !== 200) return Response.json({ title: "no" }, { status });
      return Response.json({
        accessToken: jwt(ttl === null ? null : Math.floor(now / 1000) + ttl, requests.length),
      });
    },
  });
  return {
    provider,
    requests,
    advance: (ms: number) => {
      now += ms;
    },
    setStatus: (s: number) => {
      status = s;
    },
  };
}

describe("client-credentials token provider", () => {
  test("asks POST /api/auth/token once and caches the token", async () => {
    const { provider, requests } = setup();
    const a = await provider.token();
    expect(await provider.token()).toBe(a);
    expect(requests).toEqual([
      { url: "http://auth.test/api/auth/token", body: { clientId: "lab-results", clientSecret: "s3cret" } },
    ]);
  });

  test("concurrent callers share one request", async () => {
    const { provider, requests } = setup();
    const tokens = await Promise.all(Array.from({ length: 10 }, () => provider.token()));
    expect(new Set(tokens).size).toBe(1);
    expect(requests).toHaveLength(1);
  });

  test("refreshes a minute before exp", async () => {
    const { provider, requests, advance } = setup(900);
    const first = await provider.token();
    advance(839_000);
    expect(await provider.token()).toBe(first);
    advance(1_000);
    expect(await provider.token()).not.toBe(first);
    expect(requests).toHaveLength(2);
  });

  test("invalidate drops only the token it names", async () => {
    const { provider, requests } = setup();
    const first = await provider.token();
    provider.invalidate("some-older-token");
    expect(await provider.token()).toBe(first);
    provider.invalidate(first);
    expect(await provider.token()).not.toBe(first);
    expect(requests).toHaveLength(2);
  });

  test("a token without exp lives for the fallback TTL", async () => {
    const { provider, requests, advance } = setup(null);
    await provider.token();
    advance(4 * 60_000);
    await provider.token();
    expect(requests).toHaveLength(1);
    advance(60_000);
    await provider.token();
    expect(requests).toHaveLength(2);
  });

  test("a failed grant is a TokenError, and the next call tries again", async () => {
    const { provider, requests, setStatus } = setup();
    setStatus(401);
    await expect(provider.token()).rejects.toBeInstanceOf(TokenError);
    setStatus(200);
    expect(await provider.token()).toMatch(/^h\./);
    expect(requests).toHaveLength(2);
  });
});

test("expiryOf reads exp, and null for anything else", () => {
  expect(expiryOf(jwt(1_800_000_000, 1))).toBe(1_800_000_000_000);
  expect(expiryOf("opaque")).toBeNull();
  expect(expiryOf("a.!!!.c")).toBeNull();
  expect(expiryOf(jwt(null, 1))).toBeNull();
});
