import { execFileSync } from "node:child_process";
import { X509Certificate, createPrivateKey } from "node:crypto";
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { isIP } from "node:net";
import path from "node:path";

/**
 * A local certificate authority and one server certificate signed by it,
 * made with the `openssl` command-line tool (present on Linux and macOS).
 *
 * Used by `npm run receiver` (a CA in DATA_DIR/receiver, trusted by
 * `npm run dev` for the receiver's address only) and by the tests' HTTPS
 * receivers. Files written into `dir`: ca.pem, server.pem, server.key
 * (0600). The CA's private key is deleted once the server certificate is
 * signed unless `keepCaKey`: nothing else can ever be issued by that CA.
 */

export const CA_FILE = "ca.pem";
export const CERT_FILE = "server.pem";
export const KEY_FILE = "server.key";

export interface LocalCertificates {
  dir: string;
  /** PEM file of the CA (trust this to trust the server certificate). */
  caPath: string;
  caPem: string;
  certPem: string;
  keyPem: string;
}

export interface LocalCaOptions {
  /** Common name of the CA, e.g. "Akol Webhooks local receiver CA". */
  caName: string;
  /** DNS names in the server certificate. */
  dnsNames: readonly string[];
  /** IP addresses in the server certificate. */
  ipAddresses: readonly string[];
  /** Validity of both certificates, in days. */
  days: number;
  /**
   * Restrict the CA to the certificate's own names (X.509 name constraints):
   * even a leaked CA key could not sign for any other host.
   */
  constrainNames?: boolean;
  keepCaKey?: boolean;
}

/** openssl is missing or failed; the message is one line, fit for a user. */
export class LocalCaError extends Error {
  override name = "LocalCaError";
}

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
  } catch (err) {
    if (typeof err === "object" && err !== null && "code" in err && err.code === "ENOENT") {
      throw new LocalCaError("the `openssl` command was not found: install OpenSSL to create the local certificates");
    }
    const stderr =
      typeof err === "object" && err !== null && "stderr" in err && Buffer.isBuffer(err.stderr)
        ? err.stderr.toString("utf8").trim().split("\n")[0]
        : undefined;
    throw new LocalCaError(`openssl ${args[0]} failed${stderr ? `: ${stderr}` : ""}`);
  }
}

function ipMask(ip: string): string {
  return ip.includes(":") ? `${ip}/ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff` : `${ip}/255.255.255.255`;
}

/** Creates a CA and a server certificate in `dir` (which must exist), overwriting what is there. */
export function createLocalCertificates(dir: string, options: LocalCaOptions): LocalCertificates {
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  const days = String(options.days);
  const caExt = [
    "-addext",
    "basicConstraints=critical,CA:TRUE,pathlen:0",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  ];
  if (options.constrainNames) {
    const permitted = [
      ...options.dnsNames.map((n) => `permitted;DNS:${n}`),
      ...options.ipAddresses.map((ip) => `permitted;IP:${ipMask(ip)}`),
    ];
    caExt.push("-addext", `nameConstraints=critical,${permitted.join(",")}`);
  }
  const subject = `/CN=${options.caName.replace(/[/=\\]/g, " ")}`;
  openssl(
    ["req", "-x509", ...ec, "-keyout", "ca.key", "-out", CA_FILE, "-days", days, "-subj", subject, ...caExt],
    dir,
  );
  const commonName = options.dnsNames[0] ?? options.ipAddresses[0] ?? "localhost";
  openssl(["req", ...ec, "-keyout", KEY_FILE, "-out", "server.csr", "-subj", `/CN=${commonName}`], dir);
  const san = [...options.dnsNames.map((h) => `DNS:${h}`), ...options.ipAddresses.map((ip) => `IP:${ip}`)].join(",");
  writeFileSync(
    path.join(dir, "server.ext"),
    `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n`,
  );
  openssl(
    [
      "x509",
      "-req",
      "-in",
      "server.csr",
      "-CA",
      CA_FILE,
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      CERT_FILE,
      "-days",
      days,
      "-extfile",
      "server.ext",
    ],
    dir,
  );
  for (const f of ["server.csr", "server.ext", "ca.srl", ...(options.keepCaKey ? [] : ["ca.key"])]) {
    rmSync(path.join(dir, f), { force: true });
  }
  chmodSync(path.join(dir, KEY_FILE), 0o600);
  return readLocalCertificates(dir);
}

/** The three files of a directory made by createLocalCertificates. */
export function readLocalCertificates(dir: string): LocalCertificates {
  const read = (f: string) => readFileSync(path.join(dir, f), "utf8");
  return {
    dir,
    caPath: path.join(dir, CA_FILE),
    caPem: read(CA_FILE),
    certPem: read(CERT_FILE),
    keyPem: read(KEY_FILE),
  };
}

/**
 * True when `dir` holds a CA and a server certificate it issued, both valid
 * for at least `minValidityMs` more, the certificate covering every address
 * in `mustCover` (IPs or DNS names).
 */
export function usableLocalCertificates(
  dir: string,
  minValidityMs: number,
  mustCover: readonly string[] = [],
): boolean {
  if (![CA_FILE, CERT_FILE, KEY_FILE].every((f) => existsSync(path.join(dir, f)))) return false;
  try {
    const ca = new X509Certificate(readFileSync(path.join(dir, CA_FILE)));
    const cert = new X509Certificate(readFileSync(path.join(dir, CERT_FILE)));
    const soon = Date.now() + minValidityMs;
    if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return false;
    if (!cert.checkPrivateKey(createPrivateKey(readFileSync(path.join(dir, KEY_FILE))))) return false;
    if (Date.parse(ca.validTo) <= soon || Date.parse(cert.validTo) <= soon) return false;
    if (Date.parse(ca.validFrom) > Date.now() || Date.parse(cert.validFrom) > Date.now()) return false;
    return mustCover.every((name) => (isIP(name) ? cert.checkIP(name) : cert.checkHost(name)) !== undefined);
  } catch {
    return false;
  }
}
