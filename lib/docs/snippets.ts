/**
 * Copy-paste receivers for the docs (/docs/webhooks), using the official
 * Standard Webhooks libraries. Each is a complete, tiny HTTP server that
 * reads the RAW body and verifies it before trusting any of it.
 *
 * lib/docs/snippets.test.ts runs NODE_SNIPPET.code as written against
 * requests signed by lib/outbound/sign.ts, and MANUAL_NODE_SNIPPET too, so
 * what customers copy is what we test. Keep the three in step.
 */

export type Snippet = {
  id: string;
  /** Shown as the heading. */
  language: string;
  /** Shown in the code block's caption. */
  filename: string;
  /** The command that installs the library. */
  install: string;
  code: string;
};

export const NODE_SNIPPET: Snippet = {
  id: "node",
  language: "Node.js",
  filename: "server.mjs",
  install: "npm install standardwebhooks",
  code: `import { createServer } from "node:http";
import { Webhook } from "standardwebhooks";

// The signing secret shown once when you created the webhook ("whsec_…"),
// passed as is: the library strips "whsec_" and base64-decodes the rest.
const secret = process.env.AKOL_WEBHOOK_SECRET;
const wh = secret ? new Webhook(secret) : null;

// Parse only to recognise a probe; never act on an unverified body.
function isProbe(rawBody) {
  try {
    return JSON.parse(rawBody).type === "webhook.probe";
  } catch {
    return false;
  }
}

createServer((req, res) => {
  if (req.method !== "POST") return res.writeHead(405).end();
  const chunks = [];
  req.on("data", (chunk) => chunks.push(chunk));
  req.on("end", () => {
    // Verify the body exactly as received: parsing and re-serialising
    // JSON changes the bytes and breaks the signature.
    const rawBody = Buffer.concat(chunks).toString("utf8");
    let event;
    try {
      if (!wh) throw new Error("AKOL_WEBHOOK_SECRET is not set yet");
      // Checks webhook-signature in constant time and rejects a
      // webhook-timestamp more than 5 minutes from now; returns the parsed JSON.
      event = wh.verify(rawBody, req.headers);
    } catch {
      // The probe sent while a webhook is being created is signed with the
      // secret you are about to receive: acknowledge it, do nothing else.
      if (isProbe(rawBody)) return res.writeHead(204).end();
      return res.writeHead(400).end("invalid signature");
    }

    // Retries and replays carry the same webhook-id: skip ids you have
    // already processed (keep them in your database for a few days).
    const messageId = req.headers["webhook-id"];
    console.log("verified", messageId, event.type, event.test === true ? "(test)" : "");
    // Answer 2xx fast; do slow work in a queue after responding.
    res.writeHead(204).end();
  });
}).listen(Number(process.env.PORT ?? 3000));
`,
};

export const PYTHON_SNIPPET: Snippet = {
  id: "python",
  language: "Python",
  filename: "server.py",
  install: "pip install standardwebhooks",
  code: `import json
import os
from http.server import BaseHTTPRequestHandler, HTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

# The signing secret shown once when you created the webhook ("whsec_..."),
# passed as is: the library strips "whsec_" and base64-decodes the rest.
SECRET = os.environ.get("AKOL_WEBHOOK_SECRET")
wh = Webhook(SECRET) if SECRET else None


def is_probe(raw_body: bytes) -> bool:
    # Parse only to recognise a probe; never act on an unverified body.
    try:
        return json.loads(raw_body).get("type") == "webhook.probe"
    except (ValueError, AttributeError):
        return False


class AkolWebhookHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        # Verify the body exactly as received, before parsing it.
        raw_body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        try:
            if wh is None:
                raise WebhookVerificationError("AKOL_WEBHOOK_SECRET is not set yet")
            # Checks webhook-signature in constant time and rejects a
            # webhook-timestamp more than 5 minutes from now; returns the parsed JSON.
            event = wh.verify(raw_body, dict(self.headers))
        except WebhookVerificationError:
            # The probe sent while a webhook is being created is signed with the
            # secret you are about to receive: acknowledge it, do nothing else.
            self.send_response(204 if is_probe(raw_body) else 400)
            self.end_headers()
            return

        # Retries and replays carry the same webhook-id: skip ids you have
        # already processed (keep them in your database for a few days).
        message_id = self.headers["webhook-id"]
        print("verified", message_id, event["type"], "(test)" if event.get("test") else "")
        # Answer 2xx fast; do slow work in a queue after responding.
        self.send_response(204)
        self.end_headers()


HTTPServer(("", int(os.environ.get("PORT", "3000"))), AkolWebhookHandler).serve_forever()
`,
};

export const GO_SNIPPET: Snippet = {
  id: "go",
  language: "Go",
  filename: "main.go",
  install: "go get github.com/standard-webhooks/standard-webhooks/libraries",
  code: `package main

import (
	"encoding/json"
	"errors"
	"io"
	"log"
	"net/http"
	"os"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

type envelope struct {
	Type      string          \`json:"type"\`
	Timestamp string          \`json:"timestamp"\`
	Test      bool            \`json:"test"\`
	Data      json.RawMessage \`json:"data"\`
}

func main() {
	// The signing secret shown once when you created the webhook ("whsec_..."),
	// passed as is: the library strips "whsec_" and base64-decodes the rest.
	var wh *standardwebhooks.Webhook
	if secret := os.Getenv("AKOL_WEBHOOK_SECRET"); secret != "" {
		var err error
		if wh, err = standardwebhooks.NewWebhook(secret); err != nil {
			log.Fatal(err)
		}
	}

	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		// Verify the body exactly as received, before parsing it.
		payload, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			http.Error(w, "cannot read body", http.StatusBadRequest)
			return
		}
		var event envelope
		if wh == nil {
			err = errors.New("AKOL_WEBHOOK_SECRET is not set yet")
		} else {
			// Checks webhook-signature in constant time and rejects a
			// webhook-timestamp more than 5 minutes from now.
			err = wh.Verify(payload, r.Header)
		}
		if err != nil {
			// The probe sent while a webhook is being created is signed with the
			// secret you are about to receive: acknowledge it, do nothing else.
			if json.Unmarshal(payload, &event) == nil && event.Type == "webhook.probe" {
				w.WriteHeader(http.StatusNoContent)
				return
			}
			http.Error(w, "invalid signature", http.StatusBadRequest)
			return
		}
		if err := json.Unmarshal(payload, &event); err != nil {
			http.Error(w, "invalid JSON", http.StatusBadRequest)
			return
		}

		// Retries and replays carry the same webhook-id: skip ids you have
		// already processed (keep them in your database for a few days).
		log.Println("verified", r.Header.Get("webhook-id"), event.Type, event.Test)
		// Answer 2xx fast; do slow work in a queue after responding.
		w.WriteHeader(http.StatusNoContent)
	})

	port := os.Getenv("PORT")
	if port == "" {
		port = "3000"
	}
	log.Fatal(http.ListenAndServe(":"+port, nil))
}
`,
};

export const SNIPPETS: readonly Snippet[] = [NODE_SNIPPET, PYTHON_SNIPPET, GO_SNIPPET];

/** The algorithm spelled out, for languages without a library (and to show there is no magic). */
export const MANUAL_NODE_SNIPPET: Snippet = {
  id: "manual",
  language: "By hand (Node.js, no library)",
  filename: "verify.mjs",
  install: "",
  code: `import { createHmac, timingSafeEqual } from "node:crypto";

const TOLERANCE_SECONDS = 5 * 60;

/** True when the request is authentic. rawBody: the body exactly as received (string). */
export function verifyAkolWebhook(secret, headers, rawBody) {
  const id = headers["webhook-id"];
  const timestamp = headers["webhook-timestamp"];
  const signatures = headers["webhook-signature"];
  if (!id || !timestamp || !signatures) return false;

  // 1. Reject a timestamp more than 5 minutes away from now (replay protection).
  const now = Math.floor(Date.now() / 1000);
  if (!/^\\d+$/.test(timestamp) || Math.abs(now - Number(timestamp)) > TOLERANCE_SECONDS) return false;

  // 2. The key is the base64-decoding of the secret after "whsec_".
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const expected = createHmac("sha256", key).update(\`\${id}.\${timestamp}.\${rawBody}\`).digest();

  // 3. The header may hold several space-separated "v1,<base64>" signatures:
  //    accept if any one matches, compared in constant time.
  return signatures.split(" ").some((versioned) => {
    const [version, signature] = versioned.split(",");
    if (version !== "v1" || !signature) return false;
    const given = Buffer.from(signature, "base64");
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
`,
};
