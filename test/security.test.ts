/**
 * TLS and SASL against the real broker's secured listeners (scripts/kafka makes a SASL listener
 * with PLAIN and SCRAM users and a TLS listener with a self-signed certificate).
 */
import { describe, expect, test } from "bun:test";
import { brokerAddress, securedListeners, uniqueName } from "./support/broker.ts";
import { readValues } from "./support/client.ts";
import { runDchat } from "./support/dchat.ts";
import { externalCluster, skipped } from "./support/skips.ts";

const listeners = await securedListeners();

describe.skipIf(skipped(externalCluster("TLS and SASL (the local broker's extra listeners)")))(
  "TLS and SASL",
  () => {
    const secured = listeners as NonNullable<typeof listeners>;
    const credentials = { DCHAT_SASL_USERNAME: secured.username, DCHAT_SASL_PASSWORD: secured.password };

    for (const mechanism of ["plain", "scram-sha-256", "scram-sha-512"]) {
      test(`SASL ${mechanism}: the message is acknowledged and readable`, async () => {
        const room = uniqueName(`sasl-${mechanism}`);
        const result = await runDchat(
          [
            "send",
            "--brokers",
            secured.sasl,
            "--sasl-mechanism",
            mechanism,
            "--room",
            room,
            "--user",
            "u",
            "hi",
          ],
          { env: credentials },
        );
        expect(result).toMatchObject({ code: 0, stderr: "" });
        expect(readValues(await brokerAddress(), room)).toHaveLength(1);
      });
    }

    test("a wrong SASL password is one line, exit 1", async () => {
      const result = await runDchat(
        [
          "send",
          "--brokers",
          secured.sasl,
          "--sasl-mechanism",
          "scram-sha-512",
          "--room",
          "r",
          "--user",
          "u",
          "hi",
        ],
        { env: { ...credentials, DCHAT_SASL_PASSWORD: "wrong" } },
      );
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        /^dchat send: Kafka at 127\.0\.0\.1:\d+ rejected the SASL credentials.*\n$/,
      );
    });

    test("TLS with the broker's CA file: acknowledged and readable", async () => {
      const room = uniqueName("tls");
      const result = await runDchat([
        "send",
        "--brokers",
        secured.ssl,
        "--ssl-ca",
        secured.ca,
        "--room",
        room,
        "--user",
        "u",
        "hi",
      ]);
      expect(result).toMatchObject({ code: 0, stderr: "" });
      expect(readValues(await brokerAddress(), room)).toHaveLength(1);
    });

    test("TLS to a self-signed broker without its CA is one line about the certificate", async () => {
      const result = await runDchat([
        "send",
        "--brokers",
        secured.ssl,
        "--ssl",
        "--room",
        "r",
        "--user",
        "u",
        "hi",
      ]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(
        /^dchat send: TLS handshake with Kafka at 127\.0\.0\.1:\d+ failed \(.*certificate.*\): check --ssl and --ssl-ca\n$/,
      );
    });
  },
);
