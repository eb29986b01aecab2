// Types of keksi's public interface (CONTRACT §6, §8): `window.keksi`, its config, the
// consent object and the events. Shipped with the npm package.

/** A category's or service's state: `true` allowed, `false` refused. */
export type States = Record<string, boolean>;

/** `keksi.consent()`: the current choice. */
export interface Consent {
  /** Random id of this visitor's consent (stable across changes). */
  id: string;
  /** Config revision the choice was given under. */
  revision: number;
  /** When, ISO 8601 UTC. */
  timestamp: string;
  method: "accept-all" | "reject-all" | "custom";
  categories: States;
  services: States;
}

/** One entry of `keksi.cookies()`. */
export interface CookieInfo {
  name: string;
  /** A category name, or `"unknown"`. */
  category: string;
  lifetime: "session" | "persistent";
  /** ISO 8601, or `null` where the browser does not tell. */
  expires: string | null;
}

export interface ServiceConfig {
  title?: string | undefined;
  description?: string | undefined;
}

export interface CategoryConfig {
  title?: string | undefined;
  description?: string | undefined;
  services?: Record<string, ServiceConfig> | undefined;
  /** localStorage/sessionStorage keys, exact or `*` globs. */
  storage?: string[] | undefined;
  /** Kept off under Global Privacy Control unless switched on one by one. */
  saleOrSharing?: boolean | undefined;
}

export type ConsentType =
  | "ad_storage" | "ad_user_data" | "ad_personalization" | "analytics_storage"
  | "functionality_storage" | "personalization_storage" | "security_storage";

export interface ConsentModeConfig {
  enabled?: boolean | undefined;
  region?: string[] | undefined;
  waitForUpdate?: number | undefined;
  adsDataRedaction?: boolean | undefined;
  urlPassthrough?: boolean | undefined;
  mapping?: Record<string, ConsentType[]> | undefined;
}

/** The config (JSON in `#keksi-config`, or `keksi.init()`); unknown keys are rejected. */
export interface Config {
  revision?: number | undefined;
  policyUrl?: string | null | undefined;
  language?: string | undefined;
  categories?: Record<string, CategoryConfig> | undefined;
  cookies?: { name: string; category: string; provider?: string | undefined; purpose?: string | undefined; duration?: string | undefined }[] | undefined;
  /** Extra tracker hosts, before the built-in ones; `host` matches its subdomains and may
   * end in a path (`"www.example.com/pixel"`: only URLs under that path). */
  trackers?: { host: string; category: string; service?: string | undefined; vendor?: string | undefined }[] | undefined;
  unknownCookies?: "allow" | "block" | undefined;
  googleConsentMode?: boolean | ConsentModeConfig | undefined;
  honorDoNotTrack?: boolean | undefined;
  consentLog?: string | null | undefined;
  cookieName?: string | undefined;
  cookieDomain?: string | null | undefined;
  consentValidityDays?: number | undefined;
  texts?: Record<string, Record<string, string>> | undefined;
  reloadOnWithdraw?: boolean | undefined;
  debug?: boolean | undefined;
  layout?: "bar" | "box" | "modal" | undefined;
  theme?: "auto" | "light" | "dark" | undefined;
}

/** `window.keksi`. */
export interface Keksi {
  readonly version: string;
  /** Configure; only before any other call. `false` (and a console error) otherwise or on a bad config. */
  init(config: Config | string): boolean;
  acceptAll(): void;
  rejectAll(): void;
  /** Exactly these categories (plus `necessary`) on. Throws on a non-array or an unknown name. */
  accept(categories: string[]): void;
  allowed(category: string, service?: string): boolean;
  consent(): Consent | null;
  showBanner(): void;
  showPreferences(): void;
  hide(): void;
  /** Withdraw: forget the choice, delete optional cookies and storage, show the banner. */
  reset(): void;
  cookies(): CookieInfo[];
}

declare global {
  interface Window {
    keksi: Keksi;
  }
  interface WindowEventMap {
    "keksi:ready": Event;
    "keksi:consent": CustomEvent<Consent | null>;
  }
}

declare const keksi: Keksi;
export default keksi;
