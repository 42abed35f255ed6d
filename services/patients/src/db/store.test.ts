import { describe, expect, test } from "bun:test";
import { Readable } from "node:stream";
import { DynamoDBClient, TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { createStore, failedConditions, isRetriableStoreError } from "./store.ts";

type Reply = { status: number; body: unknown; type?: string };

/** A DynamoDB client whose HTTP layer records each request and answers with `reply` (a list: in turn, the last one repeating). */
function recordingClient(replies: Reply | Reply[]) {
  const queue = Array.isArray(replies) ? [...replies] : [replies];
  const sent: Array<{ target: string; body: Record<string, unknown> }> = [];
  const client = new DynamoDBClient({
    region: "us-east-1",
    endpoint: "http://dynamodb.test",
    credentials: { accessKeyId: "x", secretAccessKey: "y" },
    maxAttempts: 1,
    requestHandler: {
      handle: async (request: { headers: Record<string, string>; body: string | Uint8Array }) => {
        const reply = queue.length > 1 ? queue.shift()! : queue[0]!;
        sent.push({
          target: request.headers["x-amz-target"] ?? "",
          body: JSON.parse(
            typeof request.body === "string" ? request.body : new TextDecoder().decode(request.body),
          ),
        });
        return {
          response: {
            statusCode: reply.status,
            headers: {
              "content-type": "application/x-amz-json-1.0",
              ...(reply.type ? { "x-amzn-errortype": reply.type } : {}),
            },
            body: Readable.from([Buffer.from(JSON.stringify(reply.body))]),
          },
        };
      },
    } as never,
  });
  return { client, sent };
}

describe("native transactions", () => {
  test("one TransactWriteItems call carrying every item with the table name filled in", async () => {
    const { client, sent } = recordingClient({ status: 200, body: {} });
    const store = createStore(client, "carebridge-patients", "native");
    await store.transact([
      {
        Put: {
          TableName: "",
          Item: { PK: "P#1", SK: "E#1", n: 1 },
          ConditionExpression: "attribute_not_exists(PK)",
        },
      },
      {
        Update: {
          TableName: "",
          Key: { PK: "P#1", SK: "PROFILE" },
          UpdateExpression: "SET v = :v",
          ExpressionAttributeValues: { ":v": 2 },
        },
      },
      { Delete: { TableName: "", Key: { PK: "P#1", SK: "X" } } },
    ]);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.target).toBe("DynamoDB_20120810.TransactWriteItems");
    const items = sent[0]!.body.TransactItems as Array<Record<string, { TableName: string }>>;
    expect(items.map((i) => Object.keys(i)[0])).toEqual(["Put", "Update", "Delete"]);
    expect(items.map((i) => Object.values(i)[0]!.TableName)).toEqual(Array(3).fill("carebridge-patients"));
    expect(items[0]!.Put).toMatchObject({ Item: { PK: { S: "P#1" }, n: { N: "1" } } });
    client.destroy();
  });

  test("a cancelled transaction reports which conditions failed", async () => {
    const { client } = recordingClient({
      status: 400,
      type: "TransactionCanceledException",
      body: {
        __type: "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
        message: "Transaction cancelled",
        CancellationReasons: [{ Code: "None" }, { Code: "ConditionalCheckFailed" }],
      },
    });
    const store = createStore(client, "t", "native");
    const error = await store
      .transact([{ Put: { TableName: "", Item: { PK: "a", SK: "b" } } }])
      .catch((e) => e);
    expect(error).toBeInstanceOf(TransactionCanceledException);
    expect(failedConditions(error)).toEqual([1]);
    expect(isRetriableStoreError(error)).toBe(false);
    client.destroy();
  });
});

describe("native transactions cancelled by a conflict with another transaction", () => {
  const cancellation = (...codes: string[]): Reply => ({
    status: 400,
    type: "TransactionCanceledException",
    body: {
      __type: "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
      message: "Transaction cancelled",
      CancellationReasons: codes.map((Code) => ({ Code })),
    },
  });
  const item = { Put: { TableName: "", Item: { PK: "a", SK: "b" } } };

  test("are retried (nothing was written) until they commit", async () => {
    const conflict = cancellation("TransactionConflict", "None");
    const { client, sent } = recordingClient([conflict, conflict, { status: 200, body: {} }]);
    await createStore(client, "t", "native").transact([item, item]);
    expect(sent).toHaveLength(3);
    client.destroy();
  });

  test("end in the failed condition when the retry finds the other transaction committed", async () => {
    const { client, sent } = recordingClient([
      cancellation("TransactionConflict", "None"),
      cancellation("ConditionalCheckFailed", "None"),
    ]);
    const error = await createStore(client, "t", "native")
      .transact([item, item])
      .catch((e) => e);
    expect(failedConditions(error)).toEqual([0]);
    expect(sent).toHaveLength(2);
    client.destroy();
  });

  test("a failed condition is never retried, and endless conflicts give up", async () => {
    const mixed = recordingClient(cancellation("TransactionConflict", "ConditionalCheckFailed"));
    await expect(createStore(mixed.client, "t", "native").transact([item, item])).rejects.toBeInstanceOf(
      TransactionCanceledException,
    );
    expect(mixed.sent).toHaveLength(1);
    const endless = recordingClient(cancellation("TransactionConflict"));
    await expect(createStore(endless.client, "t", "native").transact([item])).rejects.toBeInstanceOf(
      TransactionCanceledException,
    );
    expect(endless.sent).toHaveLength(5);
    mixed.client.destroy();
    endless.client.destroy();
  });
});

test("retriable store errors: conflicts, throttling and network errors; not failed conditions", () => {
  const cancelled = (code: string) =>
    new TransactionCanceledException({ message: "x", $metadata: {}, CancellationReasons: [{ Code: code }] });
  expect(isRetriableStoreError(cancelled("TransactionConflict"))).toBe(true);
  expect(isRetriableStoreError(cancelled("ConditionalCheckFailed"))).toBe(false);
  expect(
    isRetriableStoreError(Object.assign(new Error("x"), { name: "ProvisionedThroughputExceededException" })),
  ).toBe(true);
  expect(isRetriableStoreError(Object.assign(new Error("x"), { code: "ECONNREFUSED" }))).toBe(true);
  expect(isRetriableStoreError(new Error("validation"))).toBe(false);
});
