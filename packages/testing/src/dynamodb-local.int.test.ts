import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { testDynamoDbEndpoint } from "./dynamodb-harness.ts";
import { type DynamoDbLocal, startDynamoDbLocal } from "./dynamodb-local.ts";
import { cacheDir, waitForPort } from "./repo.ts";

/** One DynamoDB JSON-protocol call (DynamoDB Local checks the signature's shape, not its value). */
async function call(endpoint: string, operation: string, body: unknown) {
  const res = await fetch(endpoint, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.0",
      "x-amz-target": `DynamoDB_20120810.${operation}`,
      authorization:
        "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0",
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const createTable = (endpoint: string, TableName: string) =>
  call(endpoint, "CreateTable", {
    TableName,
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
    KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
  });
const getItem = async (endpoint: string, TableName: string, pk: string) =>
  (await call(endpoint, "GetItem", { TableName, Key: { pk: { S: pk } }, ConsistentRead: true })).body.Item;

/** Whether something still accepts connections on the port. */
const listening = (port: number) =>
  waitForPort(port, 0).then(
    () => true,
    () => false,
  );

describe("in memory", () => {
  let local: DynamoDbLocal;
  beforeAll(async () => {
    local = await startDynamoDbLocal({ inMemory: true, watchdog: true });
  }, 300_000);
  afterAll(() => local.stop());

  test("TransactWriteItems is native: a failed last condition leaves none of the items written", async () => {
    expect((await createTable(local.endpoint, "harness-tx")).status).toBe(200);
    const { status, body } = await call(local.endpoint, "TransactWriteItems", {
      TransactItems: [
        { Put: { TableName: "harness-tx", Item: { pk: { S: "a" } } } },
        { Put: { TableName: "harness-tx", Item: { pk: { S: "b" } } } },
        {
          Put: {
            TableName: "harness-tx",
            Item: { pk: { S: "c" } },
            ConditionExpression: "attribute_exists(pk)",
          },
        },
      ],
    });
    expect(status).toBe(400);
    expect(String(body.__type)).toEndWith("TransactionCanceledException");
    expect(body.CancellationReasons).toEqual([
      { Code: "None" },
      { Code: "None" },
      { Code: "ConditionalCheckFailed", Message: "The conditional request failed" },
    ]);
    expect(await getItem(local.endpoint, "harness-tx", "a")).toBeUndefined();
    expect(await getItem(local.endpoint, "harness-tx", "b")).toBeUndefined();
  });

  test("stop() ends the server", async () => {
    const other = await startDynamoDbLocal({ inMemory: true, watchdog: true });
    expect(await listening(other.port)).toBe(true);
    await other.stop();
    expect(await listening(other.port)).toBe(false);
  });
});

test("with dataDir, tables and items survive a stop and a kill -9", async () => {
  const dataDir = mkdtempSync(join(cacheDir(), "dynamodb-local-test-"));
  try {
    const first = await startDynamoDbLocal({ dataDir, watchdog: true });
    await createTable(first.endpoint, "harness-kept");
    await call(first.endpoint, "PutItem", {
      TableName: "harness-kept",
      Item: { pk: { S: "x" }, n: { N: "1" } },
    });
    await first.stop();
    const second = await startDynamoDbLocal({ dataDir, port: first.port, watchdog: true });
    expect(await getItem(second.endpoint, "harness-kept", "x")).toEqual({ pk: { S: "x" }, n: { N: "1" } });
    await call(second.endpoint, "PutItem", { TableName: "harness-kept", Item: { pk: { S: "y" } } });
    await second.kill();
    const third = await startDynamoDbLocal({ dataDir, watchdog: true });
    expect(await getItem(third.endpoint, "harness-kept", "y")).toEqual({ pk: { S: "y" } });
    await third.stop();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}, 300_000);

test("a killed test process leaves no DynamoDB Local behind (watchdog)", async () => {
  const script = `import { startDynamoDbLocal } from ${JSON.stringify(join(import.meta.dir, "dynamodb-local.ts"))};
const local = await startDynamoDbLocal({ inMemory: true, watchdog: true });
console.log(local.port);
await Bun.sleep(600_000);`;
  const child = Bun.spawn(["bun", "-e", script], { stdout: "pipe", stderr: "inherit" });
  const reader = child.stdout.getReader();
  let out = "";
  while (!out.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    out += new TextDecoder().decode(value);
  }
  const port = Number(out.trim());
  expect(await listening(port)).toBe(true);
  child.kill("SIGKILL");
  await child.exited;
  // The watchdog polls every 0.5 s; wait until the port closes (the test's own timeout bounds it).
  while (await listening(port)) await Bun.sleep(200);
  expect(await listening(port)).toBe(false);
}, 300_000);

test("testDynamoDbEndpoint: one per process (or the run's, from CAREBRIDGE_TEST_DYNAMODB_ENDPOINT)", async () => {
  const [a, b] = await Promise.all([testDynamoDbEndpoint(), testDynamoDbEndpoint()]);
  expect(a).toBe(b);
  expect(a).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect((await call(a, "ListTables", {})).status).toBe(200);
}, 300_000);
