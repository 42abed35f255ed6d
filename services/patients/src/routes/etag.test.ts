import { expect, test } from "bun:test";
import { etagOf, versionFromIfMatch } from "./etag.ts";

test("If-Match accepts the ETag in its usual spellings and refuses the rest", () => {
  expect(etagOf(3)).toBe('"3"');
  for (const header of ['"3"', "3", 'W/"3"', ' "3" ']) expect(versionFromIfMatch(header)).toBe(3);
  expect(() => versionFromIfMatch(undefined)).toThrow(expect.objectContaining({ status: 428 }));
  expect(() => versionFromIfMatch("")).toThrow(expect.objectContaining({ status: 428 }));
  for (const header of ["*", '"0"', '"1", "2"', "abc", '"-1"', '"99999999999"'])
    expect(() => versionFromIfMatch(header)).toThrow(expect.objectContaining({ status: 400 }));
});
