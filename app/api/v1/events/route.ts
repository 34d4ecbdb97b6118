import { readJsonWithText, validate } from "@/lib/api/body";
import { jsonResponse } from "@/lib/api/envelope";
import { withIdempotency } from "@/lib/api/idempotency";
import { apiRoute } from "@/lib/api/route";
import { publishEventSchema } from "@/lib/delivery/schemas";
import { methodNotAllowed } from "@/lib/api/methods";
import { jsonMemberText } from "@/lib/events/json-text";
import { publishEventJson } from "@/lib/events/publish";

export const POST = apiRoute(async ({ req, principal }) => {
  const { json, text } = await readJsonWithText(req);
  const input = validate(json, publishEventSchema);
  // With an Idempotency-Key the event id comes from the key's claim: a retry after a crash publishes the same event.
  const answer = await withIdempotency(
    principal.workspaceId,
    req.headers.get("idempotency-key"),
    text,
    async (claim) => ({
      status: 202,
      body: {
        success: true,
        data: await publishEventJson(
          principal.workspaceId,
          // `data` as the publisher wrote it (key order, numbers, escapes), not as JSON.parse rebuilt it.
          { type: input.type, dataJson: jsonMemberText(text, "data")!, timestamp: input.timestamp },
          claim ? { id: `evt_${claim.id.slice(claim.id.indexOf("_") + 1)}` } : {},
        ),
      },
    }),
  );
  return jsonResponse(answer.body, {
    status: answer.status,
    headers: answer.replayed ? { "Idempotent-Replayed": "true" } : undefined,
  });
});

const unsupported = methodNotAllowed(["POST"]);
export { unsupported as GET, unsupported as HEAD, unsupported as PUT, unsupported as PATCH, unsupported as DELETE };
