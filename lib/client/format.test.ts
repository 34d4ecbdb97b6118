import { describe, expect, it } from "vitest";
import { urlParts } from "@/lib/client/format";

describe("urlParts", () => {
  it("breaks a URL after /, ? and &, never inside the scheme's //", () => {
    expect(urlParts("https://example.com/hooks/akol?source=e2e&v=2")).toEqual([
      "https://example.com/",
      "hooks/",
      "akol?",
      "source=e2e&",
      "v=2",
    ]);
    expect(urlParts("https://a.example/")).toEqual(["https://a.example/"]);
    expect(urlParts("https://host:8443")).toEqual(["https://host:8443"]);
  });

  it("loses no character", () => {
    const url = "https://user.example.co.uk:8443/a//b/?x=1&&y=%2F&z=/";
    expect(urlParts(url).join("")).toBe(url);
  });
});
