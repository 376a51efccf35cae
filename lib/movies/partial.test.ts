import { expect, test } from "bun:test";
import { closeSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UserError } from "../errors.ts";
import { appendPage, type Header, openPartial } from "./partial.ts";

const header: Header = {
  dchat: "movies fetch",
  apiUrl: "http://127.0.0.1/x",
  query: { prdtStartYear: "2019" },
};
const page = (n: number) => ({ page: n, day: "2026-11-26", totCnt: 250, movies: [{ movieCd: `M${n}` }] });

test("a line torn by a crash is cut off, and the download resumes after the last whole page", () => {
  const path = join(mkdtempSync(join(tmpdir(), "partial-")), "m.json.partial");
  const first = openPartial(path, header);
  if (first instanceof UserError) throw new Error(first.message);
  appendPage(first.fd, first.progress, page(1));
  appendPage(first.fd, first.progress, page(2));
  closeSync(first.fd);
  const whole = readFileSync(path, "utf8");
  writeFileSync(path, `${whole}${JSON.stringify(page(3)).slice(0, 20)}`);

  const again = openPartial(path, header);
  if (again instanceof UserError) throw new Error(again.message);
  expect(again.progress.pages.map((p) => p.page)).toEqual([1, 2]);
  expect(again.progress.calls.get("2026-11-26")).toBe(2);
  appendPage(again.fd, again.progress, page(3));
  closeSync(again.fd);
  expect(readFileSync(path, "utf8")).toBe(`${whole}${JSON.stringify(page(3))}\n`);
});

test("a partial file of another query is refused, naming both", () => {
  const path = join(mkdtempSync(join(tmpdir(), "partial-")), "m.json.partial");
  const first = openPartial(path, header);
  if (first instanceof UserError) throw new Error(first.message);
  closeSync(first.fd);
  const other = openPartial(path, { ...header, query: {} });
  expect(other).toBeInstanceOf(UserError);
  expect((other as UserError).message).toContain("prdtStartYear=2019");
});
