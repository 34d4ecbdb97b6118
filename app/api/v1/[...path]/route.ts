import { unknownRoute } from "@/lib/api/methods";

/** Any /api/v1 path that is no route: a 404 envelope rather than the HTML 404 page. */
export {
  unknownRoute as GET,
  unknownRoute as HEAD,
  unknownRoute as POST,
  unknownRoute as PUT,
  unknownRoute as PATCH,
  unknownRoute as DELETE,
  unknownRoute as OPTIONS,
};
