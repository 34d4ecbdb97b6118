import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

/** A local SMTP server that keeps every message it accepts (imported by *.test.ts only). */

export type CapturedMail = {
  from: string;
  to: string[];
  /** The raw message as received (headers and MIME body). */
  raw: string;
  /** The raw message with quoted-printable soft breaks and escapes decoded, for text assertions. */
  text: string;
  /** The user name it authenticated with, if it did. */
  user: string | undefined;
};

export type SmtpSink = {
  port: number;
  messages: CapturedMail[];
  /** Answer the next `n` messages with a temporary failure (451), to exercise retries. */
  failNext(n: number): void;
  close(): Promise<void>;
};

function decodeQuotedPrintable(raw: string): string {
  return raw
    .replace(/=\r?\n/g, "")
    .replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** Plain SMTP on 127.0.0.1 (no STARTTLS); with `credentials`, AUTH is required and checked. */
export async function startSmtpSink(credentials?: { user: string; pass: string }): Promise<SmtpSink> {
  const messages: CapturedMail[] = [];
  let failures = 0;
  const server = new SMTPServer({
    disabledCommands: credentials ? ["STARTTLS"] : ["STARTTLS", "AUTH"],
    authOptional: !credentials,
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, cb) {
      if (credentials && auth.username === credentials.user && auth.password === credentials.pass)
        cb(null, { user: auth.username });
      else cb(new Error("Invalid username or password"));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        if (failures > 0) {
          failures--;
          const err = Object.assign(new Error("Try again later"), { responseCode: 451 });
          cb(err);
          return;
        }
        const raw = Buffer.concat(chunks).toString("utf8");
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          text: decodeQuotedPrintable(raw),
          user: typeof session.user === "string" ? session.user : undefined,
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    messages,
    failNext: (n) => {
      failures = n;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
