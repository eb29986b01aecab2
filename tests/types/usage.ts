// Compiled by `tsc --noEmit` in the test command: the shipped types describe the API as
// a bundling site uses it, and reject what the API rejects.
import keksi, { type Config, type Consent } from "../../src/keksi";

const config: Config = { revision: 2, layout: "box", googleConsentMode: { waitForUpdate: 500 }, categories: { functional: { services: { youtube: { title: "YouTube" } } } } };
keksi.init(config);
keksi.accept(["analytics"]);
const ok: boolean = keksi.allowed("functional", "youtube");
const c: Consent | null = keksi.consent();
if (c) {
  const when: string = c.timestamp;
  const method: "accept-all" | "reject-all" | "custom" = c.method;
  void when;
  void method;
}
for (const cookie of keksi.cookies()) {
  const life: "session" | "persistent" = cookie.lifetime;
  void life;
}
window.addEventListener("keksi:consent", (e) => {
  const detail: Consent | null = e.detail;
  void detail;
});
void ok;
void window.keksi.version;

// @ts-expect-error: layout must be one of bar, box, modal
const bad: Config = { layout: "popup" };
// @ts-expect-error: accept takes an array of names
keksi.accept("analytics");
void bad;

// Optional keys may be given as `undefined` (compiled with exactOptionalPropertyTypes):
// a config built from variables that may be unset.
const vendorName: string | undefined = undefined;
keksi.init({ trackers: [{ host: "cdn.example", category: "analytics", vendor: vendorName, service: undefined }], language: undefined });
