import { unprocessable } from "@carebridge/http";
import { isUnstorableContent } from "../db/store.ts";

/**
 * Runs a write of request content: DynamoDB refusing the content itself (a number out of its
 * range, an item over 400 KB) is the request's fault → 422 `unstorable-input`, never a 500. The
 * schemas bound the input so this should not happen; any other error keeps its 5xx meaning.
 */
export async function writingInput<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!isUnstorableContent(error)) throw error;
    throw unprocessable(
      "The request's content cannot be stored (a number out of range or too large an item).",
      {
        code: "unstorable-input",
        cause: error,
      },
    );
  }
}
