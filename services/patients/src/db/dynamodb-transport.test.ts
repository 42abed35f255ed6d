import { afterAll, describe, expect, test } from "bun:test";
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from "@aws-sdk/client-dynamodb";
import { FetchHttpHandler } from "@smithy/fetch-http-handler";

/** A stand-in DynamoDB endpoint: records requests, answers per X-Amz-Target. */
const seen: Array<{ target: string; host: string; auth: string; body: Record<string, unknown> }> = [];
const server = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  async fetch(req) {
    const body = (await req.json()) as Record<string, unknown>;
    const target = req.headers.get("x-amz-target") ?? "";
    seen.push({
      target,
      host: req.headers.get("host") ?? "",
      auth: req.headers.get("authorization") ?? "",
      body,
    });
    const json = (status: number, value: unknown) =>
      new Response(JSON.stringify(value), {
        status,
        headers: { "content-type": "application/x-amz-json-1.0" },
      });
    if (target.endsWith("GetItem")) return json(200, { Item: { PK: { S: "a" }, n: { N: "3" } } });
    if ((body.Item as { PK: { S: string } }).PK.S === "slow") await Bun.sleep(500);
    return json(400, {
      __type: "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",
      message: "The conditional request failed",
    });
  },
});
afterAll(() => server.stop(true));

const client = (requestTimeoutMs?: number) =>
  new DynamoDBClient({
    region: "us-east-1",
    endpoint: `http://127.0.0.1:${server.port}`,
    credentials: { accessKeyId: "AKID", secretAccessKey: "secret" },
    maxAttempts: 1,
    requestHandler: new FetchHttpHandler({ requestTimeout: requestTimeoutMs }),
  });

describe("the SDK's fetch transport under Bun, as deps.ts wires the DynamoDB client", () => {
  test("sends the signed request and hands back the parsed answer", async () => {
    const { Item } = await client().send(new GetItemCommand({ TableName: "t", Key: { PK: { S: "a" } } }));
    expect(Item).toEqual({ PK: { S: "a" }, n: { N: "3" } });
    const request = seen.at(-1)!;
    expect(request.target).toBe("DynamoDB_20120810.GetItem");
    expect(request.host).toBe(`127.0.0.1:${server.port}`);
    expect(request.auth).toStartWith("AWS4-HMAC-SHA256 Credential=AKID/");
    expect(request.body).toEqual({ TableName: "t", Key: { PK: { S: "a" } } });
  });

  test("DynamoDB errors arrive as the SDK's typed exceptions", async () => {
    const put = client().send(
      new PutItemCommand({
        TableName: "t",
        Item: { PK: { S: "x" } },
        ConditionExpression: "attribute_not_exists(PK)",
      }),
    );
    await expect(put).rejects.toBeInstanceOf(ConditionalCheckFailedException);
  });

  test("a request slower than requestTimeoutMs is aborted", async () => {
    const put = client(50).send(new PutItemCommand({ TableName: "t", Item: { PK: { S: "slow" } } }));
    await expect(put).rejects.toThrow();
  });
});
