/**
 * The shape the README's Architecture section promises, checked over the sources: which module
 * may import what, where the process exits, where streams and packages come in. Each rule names
 * the files that break it.
 */
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import pkg from "../package.json" with { type: "json" };
import { repoRoot } from "./support/broker.ts";

interface Module {
  /** Path from the repository root, `/`-separated. */
  path: string;
  source: string;
  /** Every specifier it imports or re-exports, type-only imports included. */
  imports: string[];
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(repoRoot, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
    .map((entry) => relative(repoRoot, join(entry.parentPath, entry.name)));
}

// Statements start a line; doc comments start theirs with `*`, so they never match.
const STATIC_IMPORT = /^(?:import|export)\b[^;]*?\bfrom\s*"([^"]+)"/gm;
const BARE_IMPORT = /^import\s*"([^"]+)"/gm;
const DYNAMIC_IMPORT = /\bimport\(\s*"([^"]+)"\s*\)/g;

function load(path: string): Module {
  const source = readFileSync(join(repoRoot, path), "utf8");
  const imports = [STATIC_IMPORT, BARE_IMPORT, DYNAMIC_IMPORT].flatMap((pattern) =>
    [...source.matchAll(pattern)].map((match) => match[1] as string),
  );
  return { path, source, imports };
}

const isTest = (path: string) => path.endsWith(".test.ts");
const all = [...sourceFiles("lib"), "main.ts"].map(load);
/** lib/ without its unit tests, and main.ts: what the binary is made of. */
const product = all.filter((m) => !isTest(m.path));

/** A relative specifier as a path from the repository root; null for a package. */
function target(from: string, specifier: string): string | null {
  if (!specifier.startsWith(".")) return null;
  return relative(repoRoot, resolve(repoRoot, dirname(from), specifier));
}

const packageName = (specifier: string) =>
  specifier.startsWith("@")
    ? specifier.split("/").slice(0, 2).join("/")
    : (specifier.split("/")[0] as string);
const isBuiltin = (specifier: string) => specifier.startsWith("node:") || specifier.startsWith("bun:");

/** Every import cycle (strongly connected component of more than one module, or a self-import). */
function cycles(modules: Module[]): string[][] {
  const edges = new Map(
    modules.map((m) => [
      m.path,
      m.imports.map((s) => target(m.path, s)).filter((t): t is string => t !== null && t !== m.path),
    ]),
  );
  // Tarjan's algorithm.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (node: string): void => {
    index.set(node, next);
    low.set(node, next);
    next++;
    stack.push(node);
    onStack.add(node);
    for (const to of edges.get(node) ?? []) {
      if (!edges.has(to)) continue;
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node) as number, low.get(to) as number));
      } else if (onStack.has(to)) {
        low.set(node, Math.min(low.get(node) as number, index.get(to) as number));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop() as string;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1) found.push(component.sort());
  };
  for (const node of edges.keys()) if (!index.has(node)) visit(node);
  for (const m of modules) if (m.imports.some((s) => target(m.path, s) === m.path)) found.push([m.path]);
  return found;
}

const importers = (modules: Module[], pattern: (specifier: string) => boolean) =>
  modules.filter((m) => m.imports.some(pattern)).map((m) => m.path);

describe("architecture", () => {
  test("the scan sees the modules it checks", () => {
    // Guards the rules below against passing because the scan found nothing.
    expect(product.map((m) => m.path)).toContain("lib/main.ts");
    expect(product.find((m) => m.path === "lib/main.ts")?.imports).toContain("./audit/command.ts");
    expect(importers(all, (s) => s === "kafkajs").length).toBeGreaterThan(0);
    expect(cycles([load("lib/cli.ts"), { path: "x.ts", source: "", imports: ["./lib/cli.ts"] }])).toEqual([]);
    expect(
      cycles([
        { path: "lib/a.ts", source: "", imports: ["./b.ts"] },
        { path: "lib/b.ts", source: "", imports: ["./a.ts"] },
      ]),
    ).toEqual([["lib/a.ts", "lib/b.ts"]]);
  });

  test("no import cycles among lib/ and main.ts (type-only imports count)", () => {
    expect(cycles(product)).toEqual([]);
  });

  test("kafkajs is imported only under lib/kafka/", () => {
    expect(
      importers(all, (s) => packageName(s) === "kafkajs").filter((p) => !p.startsWith("lib/kafka/")),
    ).toEqual([]);
  });

  test("the Parquet packages come in at one module each: hyparquet-writer at the format, hyparquet's reader at read.ts", () => {
    expect(importers(all, (s) => packageName(s) === "hyparquet-writer")).toEqual([
      "lib/audit/parquet/format.ts",
    ]);
    const readers = product
      .filter((m) => /^import\s+\{[^}]*\}\s+from\s+"hyparquet"/m.test(m.source))
      .map((m) => m.path);
    expect(readers).toEqual(["lib/audit/read.ts"]);
  });

  test("the memory policy is in one place: only lib/audit/memory.ts calls Bun.gc", () => {
    expect(product.filter((m) => /\bBun\.gc\(/.test(m.source)).map((m) => m.path)).toEqual([
      "lib/audit/memory.ts",
    ]);
  });

  test("only main.ts calls process.exit", () => {
    const exits = all.filter((m) => /\bprocess\.exit\b/.test(m.source)).map((m) => m.path);
    expect(exits).toEqual(["main.ts"]);
  });

  test("streams come in through Io: only main.ts names process.stdin, stdout or stderr", () => {
    const streams = product.filter((m) => /\bprocess\.std(?:in|out|err)\b/.test(m.source)).map((m) => m.path);
    expect(streams).toEqual(["main.ts"]);
  });

  test("signals and crash hooks come in through Io: only main.ts hooks process events", () => {
    // The screen writer's `exit` hook is the one exception: it gives the terminal back even when
    // something exits the process behind the chat's back.
    const hooks = product
      .filter((m) => /\bprocess\.(?:on|once|off|addListener|prependListener)\(\s*"(?!exit")/.test(m.source))
      .map((m) => m.path);
    expect(hooks).toEqual(["main.ts"]);
  });

  test("nothing patches a global on import", () => {
    const patches = product.filter((m) => /\bglobalThis\.\w+\s*=[^=]/.test(m.source)).map((m) => m.path);
    expect(patches).toEqual([]);
  });

  test("every package the binary imports is a runtime dependency in package.json", () => {
    const runtime = new Set(Object.keys(pkg.dependencies));
    const undeclared = product.flatMap((m) =>
      m.imports
        .filter((s) => target(m.path, s) === null && !isBuiltin(s) && !runtime.has(packageName(s)))
        .map((s) => `${m.path}: ${s}`),
    );
    expect(undeclared).toEqual([]);
  });

  test("commands are leaves: a module exporting a Command is imported only by lib/main.ts", () => {
    const commands = product.filter((m) => /^export const \w+: Command\b/m.test(m.source)).map((m) => m.path);
    expect(commands.length).toBeGreaterThanOrEqual(6);
    const misuse = product.flatMap((m) =>
      m.imports
        .map((s) => target(m.path, s))
        .filter((t): t is string => t !== null && commands.includes(t) && m.path !== "lib/main.ts")
        .map((t) => `${m.path} imports ${t}`),
    );
    expect(misuse).toEqual([]);
  });

  test("lib/ (its unit tests too) never imports main.ts, tests, benches or scripts", () => {
    const outward = all.flatMap((m) =>
      m.imports
        .map((s) => target(m.path, s))
        .filter((t): t is string => t !== null && (t === "main.ts" || /^(test|bench|scripts)\//.test(t)))
        .map((t) => `${m.path} imports ${t}`),
    );
    expect(outward).toEqual([]);
  });
});
