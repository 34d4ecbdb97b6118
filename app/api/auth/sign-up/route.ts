import { parseBody } from "@/lib/api/body";
import { ok } from "@/lib/api/envelope";
import { publicRoute } from "@/lib/api/route";
import { beginSignUp } from "@/lib/auth/throttle";
import { AUTH_MAX_BODY_BYTES, createUserWithWorkspace, signUpSchema } from "@/lib/auth/users";
import { clientIp } from "@/lib/http/client-ip";

export const POST = publicRoute(async (req) => {
  const input = await parseBody(req, signUpSchema, AUTH_MAX_BODY_BYTES);
  await beginSignUp(clientIp(req));
  const user = await createUserWithWorkspace(input);
  return ok({ id: user.id, email: user.email, workspaceId: user.workspaceId }, { status: 201 });
});
