import { describe, expect, test } from "bun:test";
import pkg from "../package.json" with { type: "json" };
import { runDchat } from "./support/dchat.ts";
import { runMain } from "./support/in-process.ts";

/** Expected failures are one line on stderr, nothing on stdout, and never a stack trace. */
function expectOneLineError(result: { stdout: string; stderr: string }, pattern: RegExp): void {
  expect(result.stdout).toBe("");
  expect(result.stderr.endsWith("\n")).toBe(true);
  expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(result.stderr).toMatch(pattern);
  expect(result.stderr).not.toMatch(/^\s+at /m);
}

// What only a process shows: the binary starts, its output reaches the pipe, and main's code is
// its exit status.
describe("dchat command line (compiled binary)", () => {
  test("--version prints the package version", async () => {
    expect(await runDchat(["--version"])).toEqual({ code: 0, stdout: `dchat ${pkg.version}\n`, stderr: "" });
  });

  test("a usage error is one line on stderr and exit status 2", async () => {
    const result = await runDchat(["send", "--frob", "x"]);
    expect(result.code).toBe(2);
    expectOneLineError(result, /^dchat send: unknown flag --frob \(see dchat send --help\)/);
  });
});

// The rest runs main(argv, io) in this process: the same dispatch and exit-code rule.
describe("dchat command line (lib/main.ts in-process)", () => {
  test("--help lists every command; no arguments prints it too but exits 2", async () => {
    const help = await runMain(["--help"]);
    expect(help.code).toBe(0);
    for (const name of ["chat", "bot", "audit", "send"])
      expect(help.stdout).toMatch(new RegExp(`^  ${name} `, "m"));
    const bare = await runMain([]);
    expect(bare.code).toBe(2);
    expect(bare.stdout).toBe(help.stdout);
  });

  test("<command> --help and help <command> show the command's flags", async () => {
    const help = await runMain(["send", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("usage: dchat send --room ROOM --user NAME");
    expect(help.stdout).toContain("--brokers LIST");
    expect((await runMain(["help", "send"])).stdout).toBe(help.stdout);
  });

  const usageCases: [string, string[], RegExp][] = [
    ["unknown command", ["frobnicate"], /^dchat: unknown command "frobnicate"/],
    ["unknown top-level flag", ["--frob"], /^dchat: unknown flag --frob/],
    [
      "unknown command flag",
      ["send", "--frob", "x"],
      /^dchat send: unknown flag --frob \(see dchat send --help\)/,
    ],
    ["flag without its value", ["send", "--room"], /^dchat send: --room needs a value/],
    ["missing --room", ["send", "--user", "u", "hi"], /^dchat send: --room is required/],
    ["missing --user", ["send", "--room", "r", "hi"], /^dchat send: --user is required/],
    [
      "bad --partitions",
      ["send", "--room", "r", "--user", "u", "--partitions", "0", "x"],
      /--partitions must be a whole number/,
    ],
    [
      "bad broker address",
      ["send", "--room", "r", "--user", "u", "--brokers", "nohost", "x"],
      /broker "nohost" is not host:port/,
    ],
    [
      "unknown SASL mechanism",
      ["send", "--room", "r", "--user", "u", "--sasl-mechanism", "gssapi", "x"],
      /SASL mechanism "gssapi"/,
    ],
    [
      "SASL without credentials",
      ["send", "--room", "r", "--user", "u", "--sasl-mechanism", "plain", "x"],
      /DCHAT_SASL_USERNAME/,
    ],
    ["room with control characters", ["send", "--room", "a\u001b[2Jb", "--user", "u", "x"], /room/],
    [
      "regression: audit without an archive directory, prefixed once",
      ["audit"],
      /^dchat audit: no archive directory/,
    ],
    ["empty user name", ["send", "--room", "r", "--user", "  ", "x"], /user name is empty/],
  ];
  for (const [name, args, pattern] of usageCases) {
    test(`${name}: one line, exit 2`, async () => {
      const result = await runMain(args);
      expect(result.code).toBe(2);
      expectOneLineError(result, pattern);
    });
  }

  test("a missing CA file or config file is one line, exit 1", async () => {
    const ca = await runMain(["send", "--room", "r", "--user", "u", "--ssl-ca", "/nonexistent/ca.pem", "x"]);
    expect(ca.code).toBe(1);
    expectOneLineError(ca, /CA file \/nonexistent\/ca.pem does not exist/);
    const config = await runMain([
      "send",
      "--room",
      "r",
      "--user",
      "u",
      "--config",
      "/nonexistent.json",
      "x",
    ]);
    expect(config.code).toBe(1);
    expectOneLineError(config, /config file \/nonexistent.json does not exist/);
  });
});
