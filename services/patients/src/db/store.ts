import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  TransactionCanceledException,
} from "@aws-sdk/client-dynamodb";
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  PutCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";

/** One write of a TransactWriteItems call (document-client form; TableName is filled in). */
export type TxItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];

/** How multi-item writes commit: DynamoDB's TransactWriteItems, or the in-process emulation for dynalite. */
export type TransactionMode = "native" | "emulated";

/** The table and how to write to it atomically. Query functions take it first. */
export interface Store {
  doc: DynamoDBDocumentClient;
  tableName: string;
  mode: TransactionMode;
  /**
   * Commits `items` all-or-nothing. Throws {@link TransactionCanceledException} when a condition
   * fails; {@link failedConditions} says which.
   */
  transact(items: TxItem[]): Promise<void>;
  /**
   * Runs `read` when no transaction is in progress (emulated mode; native: at once), so it never
   * sees a transaction's partial writes. The outbox relay reads through it.
   */
  settled<T>(read: () => Promise<T>): Promise<T>;
}

/** Indexes of the items whose condition failed in a cancelled transaction (empty for other errors). */
export function failedConditions(error: unknown): number[] {
  if (!(error instanceof TransactionCanceledException)) return [];
  return (error.CancellationReasons ?? []).flatMap((r, i) =>
    r.Code === "ConditionalCheckFailed" ? [i] : [],
  );
}

/** DynamoDB's messages for content it cannot store (numbers out of range or too precise, item too big). */
const UNSTORABLE =
  /number (?:overflow|underflow)|significant digits|precision|item size|size has exceeded|too large/i;

/** The document client's refusal to marshal a JS number beyond ±2^53 (thrown before any request). */
const UNSAFE_NUMBER = /^Number \S+ is (?:greater|lesser) than Number\.(?:MAX|MIN)_SAFE_INTEGER/;

/**
 * Whether a write failed because of what the item contains: DynamoDB's `ValidationException` (or a
 * cancelled transaction's `ValidationError`) about a number or the item's size, or the document
 * client refusing an unsafe number. A malformed request of ours (bad expression, wrong key) is not
 * matched and stays a server error.
 */
export function isUnstorableContent(error: unknown): boolean {
  if (error instanceof TransactionCanceledException) {
    return (error.CancellationReasons ?? []).some(
      (r) => r.Code === "ValidationError" && UNSTORABLE.test(r.Message ?? ""),
    );
  }
  const e = error as { name?: string; message?: string };
  if (e?.name === "ValidationException") return UNSTORABLE.test(e.message ?? "");
  return error instanceof Error && UNSAFE_NUMBER.test(error.message);
}

/** Whether a DynamoDB error is the store's fault and worth retrying (throttling, conflicts, network). */
export function isRetriableStoreError(error: unknown): boolean {
  if (error instanceof TransactionCanceledException) {
    return (error.CancellationReasons ?? []).some((r) =>
      ["TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"].includes(r.Code ?? ""),
    );
  }
  const e = error as {
    name?: string;
    code?: string;
    $retryable?: unknown;
    $metadata?: { httpStatusCode?: number };
  };
  if (e?.$retryable) return true;
  if (["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE"].includes(e?.code ?? "")) return true;
  if (
    [
      "ProvisionedThroughputExceededException",
      "ThrottlingException",
      "RequestLimitExceeded",
      "InternalServerError",
      "ServiceUnavailable",
      "TransactionInProgressException",
      "TimeoutError",
    ].includes(e?.name ?? "")
  )
    return true;
  return (e?.$metadata?.httpStatusCode ?? 0) >= 500;
}

/** Decides the transaction mode: `auto` probes once (dynalite answers UnknownOperationException). */
export async function detectTransactionMode(
  doc: DynamoDBDocumentClient,
  tableName: string,
  wanted: "auto" | TransactionMode,
): Promise<TransactionMode> {
  if (wanted !== "auto") return wanted;
  try {
    await doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            ConditionCheck: {
              TableName: tableName,
              Key: { PK: "PROBE", SK: "PROBE" },
              ConditionExpression: "attribute_not_exists(PK)",
            },
          },
        ],
      }),
    );
    return "native";
  } catch (error) {
    if ((error as { name?: string }).name === "UnknownOperationException") return "emulated";
    throw error;
  }
}

/** Attempts of a native transaction cancelled only by a conflict with another one in flight. */
const CONFLICT_ATTEMPTS = 5;

/**
 * DynamoDB cancels a transaction touching an item another transaction is writing with
 * `TransactionConflict` (and the SDK does not retry it). Nothing was written, so it is retried; a
 * failed condition in the same cancellation is final (the caller's answer, e.g. 412).
 */
function isConflictOnly(error: unknown): boolean {
  if (!(error instanceof TransactionCanceledException)) return false;
  const codes = (error.CancellationReasons ?? []).map((r) => r.Code);
  return codes.includes("TransactionConflict") && !codes.includes("ConditionalCheckFailed");
}

/** Builds the {@link Store} over a DynamoDB client. */
export function createStore(client: DynamoDBClient, tableName: string, mode: TransactionMode): Store {
  const doc = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  const withTable = (items: TxItem[]): TxItem[] =>
    items.map((item) => {
      const [kind, op] = Object.entries(item)[0] as [keyof TxItem, Record<string, unknown>];
      return { [kind]: { ...op, TableName: tableName } } as TxItem;
    });
  if (mode === "native") {
    return {
      doc,
      tableName,
      mode,
      async transact(items) {
        const command = new TransactWriteCommand({ TransactItems: withTable(items) });
        for (let attempt = 1; ; attempt++) {
          try {
            await doc.send(command);
            return;
          } catch (error) {
            if (attempt >= CONFLICT_ATTEMPTS || !isConflictOnly(error)) throw error;
            await Bun.sleep(Math.random() * 10 * 2 ** attempt);
          }
        }
      },
      settled: (read) => read(),
    };
  }
  return { doc, tableName, mode, ...emulatedTransactions(doc, tableName) };
}

type Key = { PK: string; SK: string };

/**
 * TransactWriteItems for stores without it (dynalite): transactions run one at a time in this
 * process; each item is a conditional single-item write that returns its old image, and when a
 * condition fails the earlier items are put back. All-or-nothing and serialised for writers in
 * this process (the local stacks run one patients process); readers may glimpse a transaction in
 * progress unless they read through `settled` (the outbox relay does), and a crash mid-transaction
 * is not rolled back. Production uses the native mode.
 */
function emulatedTransactions(
  doc: DynamoDBDocumentClient,
  tableName: string,
): Pick<Store, "transact" | "settled"> {
  let tail: Promise<unknown> = Promise.resolve();
  const serialized = <T>(fn: () => Promise<T>): Promise<T> => {
    const result = tail.then(fn);
    tail = result.catch(() => {});
    return result;
  };
  const run = async (items: TxItem[]) => {
    const undo: Array<{ key: Key; old: Record<string, unknown> | undefined }> = [];
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      try {
        if (item.Put) {
          const { Attributes } = await doc.send(
            new PutCommand({ ...item.Put, TableName: tableName, ReturnValues: "ALL_OLD" }),
          );
          undo.push({ key: { PK: item.Put.Item!.PK, SK: item.Put.Item!.SK } as Key, old: Attributes });
        } else if (item.Update) {
          const { Attributes } = await doc.send(
            new UpdateCommand({ ...item.Update, TableName: tableName, ReturnValues: "ALL_OLD" }),
          );
          undo.push({ key: item.Update.Key as Key, old: Attributes });
        } else if (item.Delete) {
          const { Attributes } = await doc.send(
            new DeleteCommand({ ...item.Delete, TableName: tableName, ReturnValues: "ALL_OLD" }),
          );
          undo.push({ key: item.Delete.Key as Key, old: Attributes });
        } else {
          throw new Error("emulated transactions support Put, Update and Delete only");
        }
      } catch (error) {
        for (const { key, old } of undo.reverse()) {
          if (old) await doc.send(new PutCommand({ TableName: tableName, Item: old }));
          else await doc.send(new DeleteCommand({ TableName: tableName, Key: key }));
        }
        if (error instanceof ConditionalCheckFailedException) {
          throw new TransactionCanceledException({
            message: `Transaction cancelled: condition of item ${i} failed`,
            $metadata: {},
            CancellationReasons: items.map((_, j) => ({ Code: j === i ? "ConditionalCheckFailed" : "None" })),
          });
        }
        throw error;
      }
    }
  };
  return { transact: (items) => serialized(() => run(items)), settled: serialized };
}
