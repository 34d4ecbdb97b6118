import { parseBody } from "@/lib/api/body";
import { ok } from "@/lib/api/envelope";
import { publicRoute } from "@/lib/api/route";
import { createUserWithWorkspace, signUpSchema } from "@/lib/auth/users";

export const POST = publicRoute(async (req) => {
  const user = await createUserWithWorkspace(await parseBody(req, signUpSchema));
  return ok({ id: user.id, email: user.email, workspaceId: user.workspaceId }, { status: 201 });
});
