import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { kafkaSettings } from "./config.ts";
import { ExitCode, UserError } from "./errors.ts";

const dir = mkdtempSync(join(tmpdir(), "dchat-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const home = { HOME: dir };

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe("kafkaSettings", () => {
  test("defaults: localhost:9092, client id dchat, plaintext, no SASL", () => {
    expect(kafkaSettings({}, home)).toEqual({ brokers: ["localhost:9092"], clientId: "dchat", ssl: false });
  });

  test("precedence: flags over environment over config file", () => {
    const config = file("c.json", JSON.stringify({ brokers: ["f1:1", "f2:2"], clientId: "from-file" }));
    expect(kafkaSettings({ config }, home)).toMatchObject({
      brokers: ["f1:1", "f2:2"],
      clientId: "from-file",
    });
    const env = { ...home, DCHAT_BROKERS: "e1:1, e2:2", DCHAT_CLIENT_ID: "from-env" };
    expect(kafkaSettings({ config }, env)).toMatchObject({ brokers: ["e1:1", "e2:2"], clientId: "from-env" });
    expect(kafkaSettings({ config, brokers: "x:9", "client-id": "from-flag" }, env)).toMatchObject({
      brokers: ["x:9"],
      clientId: "from-flag",
    });
  });

  test("the default config file is read from $XDG_CONFIG_HOME/dchat/config.json", () => {
    const xdg = join(dir, "xdg");
    Bun.spawnSync(["mkdir", "-p", join(xdg, "dchat")]);
    writeFileSync(join(xdg, "dchat", "config.json"), JSON.stringify({ brokers: "xdg:1" }));
    expect(kafkaSettings({}, { XDG_CONFIG_HOME: xdg })).toMatchObject({ brokers: ["xdg:1"] });
  });

  test("SASL: mechanism from flag, credentials only from environment or file", () => {
    const env = { ...home, DCHAT_SASL_USERNAME: "alice", DCHAT_SASL_PASSWORD: "s3cret" };
    expect(kafkaSettings({ "sasl-mechanism": "SCRAM-SHA-512" }, env)).toMatchObject({
      sasl: { mechanism: "scram-sha-512", username: "alice", password: "s3cret" },
    });
    const missing = kafkaSettings({ "sasl-mechanism": "plain" }, home);
    expect(missing).toBeInstanceOf(UserError);
    expect((missing as UserError).exitCode).toBe(ExitCode.Usage);
  });

  test("TLS: --ssl alone, or a CA file which implies TLS", () => {
    expect(kafkaSettings({ ssl: true }, home)).toMatchObject({ ssl: {} });
    expect(kafkaSettings({}, { ...home, DCHAT_SSL: "1" })).toMatchObject({ ssl: {} });
    expect(kafkaSettings({}, { ...home, DCHAT_SSL: "false" })).toMatchObject({ ssl: false });
    const ca = file("ca.pem", "-----BEGIN CERTIFICATE-----\n");
    expect(kafkaSettings({ "ssl-ca": ca }, home)).toMatchObject({
      ssl: { ca: ["-----BEGIN CERTIFICATE-----\n"] },
    });
  });

  test("bad values are user errors with a message, never exceptions", () => {
    const cases: [Parameters<typeof kafkaSettings>[0], RegExp][] = [
      [{ brokers: "" }, /--brokers is empty/],
      [{ brokers: "a:1,b" }, /broker "b" is not host:port/],
      [{ config: file("bad.json", "{nope") }, /not valid JSON/],
      [{ config: file("arr.json", "[1]") }, /must hold a JSON object/],
      [{ config: file("key.json", '{"broker":"x:1"}') }, /unknown key "broker"/],
      [{ config: file("type.json", '{"ssl":"yes"}') }, /"ssl" must be a boolean/],
    ];
    for (const [flags, message] of cases) {
      const result = kafkaSettings(flags, home);
      expect(result).toBeInstanceOf(UserError);
      expect((result as UserError).message).toMatch(message);
    }
  });
});
