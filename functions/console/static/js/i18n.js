// Languages, translated strings and locale formats. Each module keeps its own strings (makeT);
// numbers, money and dates follow the chosen language (with the browser's region when it matches).

export const LANGUAGES = {
  en: "English",
  it: "Italiano",
  es: "Español",
  fr: "Français",
  de: "Deutsch",
  ro: "Română",
};
const STORE = "passaparola.lang";

function initialLanguage() {
  try {
    const saved = localStorage.getItem(STORE);
    if (saved && LANGUAGES[saved]) return saved;
  } catch (e) {
    // storage may be disabled: fall back to the browser's languages
  }
  for (const tag of navigator.languages || [navigator.language || "en"]) {
    const base = String(tag).toLowerCase().split("-")[0];
    if (LANGUAGES[base]) return base;
  }
  return "en";
}

let current = initialLanguage();
const listeners = new Set();

export function lang() {
  return current;
}

/** The BCP 47 locale for Intl: the browser's own tag when it is of the chosen language (en-GB, it-CH). */
export function locale() {
  for (const tag of navigator.languages || []) {
    if (String(tag).toLowerCase().split("-")[0] === current) return tag;
  }
  return { en: "en-US", it: "it-IT", es: "es-ES", fr: "fr-FR", de: "de-DE", ro: "ro-RO" }[current] || current;
}

export function setLang(code) {
  if (!LANGUAGES[code] || code === current) return;
  current = code;
  try {
    localStorage.setItem(STORE, code);
  } catch (e) {
    // not persisted: the choice lasts for this page
  }
  document.documentElement.lang = code;
  for (const fn of listeners) fn(code);
}

export function onLangChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function interpolate(text, vars) {
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
}

/**
 * t(key, vars) over `strings` ({en: {...}, it: {...}}): the current language, then English, then
 * `fallback` (another t, e.g. the shell's); a key found nowhere shows as itself, so a gap is visible.
 */
export function makeT(strings, fallback) {
  return function t(key, vars) {
    const own = (strings[current] && strings[current][key]) ?? (strings.en && strings.en[key]);
    if (own !== undefined) return interpolate(own, vars);
    return fallback ? fallback(key, vars) : key;
  };
}

const cache = new Map();
function cached(kind, options, make) {
  const id = kind + "|" + locale() + "|" + JSON.stringify(options);
  if (!cache.has(id)) cache.set(id, make());
  return cache.get(id);
}

function currencyFormat(currency, extra) {
  return cached("money", { currency, ...extra }, () =>
    new Intl.NumberFormat(locale(), { style: "currency", currency, ...extra }),
  );
}

/** Minor units per currency (2 for EUR, 0 for JPY), as Intl knows them. */
export function currencyDigits(currency) {
  try {
    return currencyFormat(currency).resolvedOptions().maximumFractionDigits;
  } catch (e) {
    return 2;
  }
}

function asDate(value) {
  if (value instanceof Date) return value;
  const text = String(value);
  // a day ("2026-12-07") is a calendar day, not midnight UTC shown in another zone
  return /^\d{4}-\d{2}-\d{2}$/.test(text) ? new Date(text + "T00:00:00Z") : new Date(text);
}

export const fmt = {
  /** An amount in minor units (cents) as money: 1250 EUR → "€12.50" (en) or "12,50 €" (it). */
  money(minor, currency) {
    if (minor === null || minor === undefined || !currency) return "—";
    const digits = currencyDigits(currency);
    try {
      return currencyFormat(currency).format(Number(minor) / 10 ** digits);
    } catch (e) {
      return (Number(minor) / 10 ** digits).toFixed(digits) + " " + currency;
    }
  },
  /** Major units (what a person types: 12.5) as money. */
  moneyMajor(amount, currency) {
    if (amount === null || amount === undefined || amount === "" || !currency) return "—";
    try {
      return currencyFormat(currency).format(Number(amount));
    } catch (e) {
      return String(amount) + " " + currency;
    }
  },
  number(value, options) {
    if (value === null || value === undefined) return "—";
    return cached("number", options || {}, () => new Intl.NumberFormat(locale(), options)).format(value);
  },
  /** A ratio (0.25) as "25%". */
  percent(value, digits = 1) {
    if (value === null || value === undefined || Number.isNaN(value)) return "—";
    return cached("percent", { digits }, () =>
      new Intl.NumberFormat(locale(), { style: "percent", maximumFractionDigits: digits }),
    ).format(value);
  },
  date(value) {
    if (!value) return "—";
    const day = /^\d{4}-\d{2}-\d{2}$/.test(String(value));
    const options = day ? { dateStyle: "medium", timeZone: "UTC" } : { dateStyle: "medium" };
    return cached("date", options, () => new Intl.DateTimeFormat(locale(), options)).format(asDate(value));
  },
  /** A short day for chart axes and tables: "7 Dec". */
  day(value) {
    if (!value) return "—";
    const options = { day: "numeric", month: "short", timeZone: "UTC" };
    return cached("day", options, () => new Intl.DateTimeFormat(locale(), options)).format(asDate(value));
  },
  dateTime(value) {
    if (!value) return "—";
    const options = { dateStyle: "medium", timeStyle: "short" };
    return cached("dateTime", options, () => new Intl.DateTimeFormat(locale(), options)).format(asDate(value));
  },
  /** "3 days ago", "in 2 hours". */
  relative(value) {
    if (!value) return "—";
    const seconds = (asDate(value).getTime() - Date.now()) / 1000;
    const units = [
      ["year", 31536000],
      ["month", 2592000],
      ["day", 86400],
      ["hour", 3600],
      ["minute", 60],
    ];
    const rtf = cached("relative", {}, () => new Intl.RelativeTimeFormat(locale(), { numeric: "auto" }));
    for (const [unit, size] of units) {
      if (Math.abs(seconds) >= size) return rtf.format(Math.round(seconds / size), unit);
    }
    return rtf.format(Math.round(seconds), "second");
  },
};

document.documentElement.lang = current;
