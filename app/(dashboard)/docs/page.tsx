import { redirect } from "next/navigation";

/** /docs opens the protocol page. */
export default function Page(): never {
  redirect("/docs/webhooks");
}
