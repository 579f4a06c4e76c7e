// Audit log (owner): every administrative change by a person or a key, newest first, paged, each with
// what it changed (before → after, field by field).
import { pagedTable, table, withKit } from "../kit.js";

const LANGS = {
  en: {
    "au.title": "Audit log",
    "au.intro": "Every change made by a person or an API key, newest first.",
    "au.when": "When",
    "au.who": "Who",
    "au.action": "Action",
    "au.target": "On",
    "au.changes": "Changes",
    "au.field": "Field",
    "au.before": "Before",
    "au.after": "After",
    "au.show": "Show ({n})",
    "au.noDiff": "—",
    "au.key": "API key",
  },
  it: {
    "au.title": "Registro attività",
    "au.intro": "Ogni modifica fatta da una persona o da una chiave API, dalla più recente.",
    "au.when": "Quando",
    "au.who": "Chi",
    "au.action": "Azione",
    "au.target": "Su",
    "au.changes": "Modifiche",
    "au.field": "Campo",
    "au.before": "Prima",
    "au.after": "Dopo",
    "au.show": "Mostra ({n})",
    "au.noDiff": "—",
    "au.key": "Chiave API",
  },
  es: {
    "au.title": "Registro de auditoría",
    "au.intro": "Cada cambio hecho por una persona o una clave API, del más reciente al más antiguo.",
    "au.when": "Cuándo",
    "au.who": "Quién",
    "au.action": "Acción",
    "au.target": "Sobre",
    "au.changes": "Cambios",
    "au.field": "Campo",
    "au.before": "Antes",
    "au.after": "Después",
    "au.show": "Ver ({n})",
    "au.noDiff": "—",
    "au.key": "Clave API",
  },
  fr: {
    "au.title": "Journal d’audit",
    "au.intro": "Chaque modification faite par une personne ou une clé API, la plus récente d’abord.",
    "au.when": "Quand",
    "au.who": "Qui",
    "au.action": "Action",
    "au.target": "Sur",
    "au.changes": "Modifications",
    "au.field": "Champ",
    "au.before": "Avant",
    "au.after": "Après",
    "au.show": "Voir ({n})",
    "au.noDiff": "—",
    "au.key": "Clé API",
  },
  de: {
    "au.title": "Protokoll",
    "au.intro": "Jede Änderung durch eine Person oder einen API-Schlüssel, die neueste zuerst.",
    "au.when": "Wann",
    "au.who": "Wer",
    "au.action": "Aktion",
    "au.target": "Woran",
    "au.changes": "Änderungen",
    "au.field": "Feld",
    "au.before": "Vorher",
    "au.after": "Nachher",
    "au.show": "Zeigen ({n})",
    "au.noDiff": "—",
    "au.key": "API-Schlüssel",
  },
  ro: {
    "au.title": "Jurnal de audit",
    "au.intro": "Fiecare modificare făcută de o persoană sau de o cheie API, cele mai noi întâi.",
    "au.when": "Când",
    "au.who": "Cine",
    "au.action": "Acțiune",
    "au.target": "Asupra",
    "au.changes": "Modificări",
    "au.field": "Câmp",
    "au.before": "Înainte",
    "au.after": "După",
    "au.show": "Arată ({n})",
    "au.noDiff": "—",
    "au.key": "Cheie API",
  },
};

const LINKS = { customer: "#/customers/", campaign: "#/campaigns/", code: "#/codes/", segment: "#/segments/" };

export default {
  title: "au.title",
  roles: ["owner"],
  strings: withKit(LANGS),
  async render(root, ctx) {
    const { ui, t, fmt } = ctx;
    root.replaceChildren(ui.pageHeader(t("au.title")), ui.h("p", { class: "muted" }, t("au.intro")));
    const log = pagedTable(ctx, {
      caption: t("au.title"),
      columns: [
        { label: t("au.when"), value: (e) => ui.h("time", { datetime: e.at }, fmt.dateTime(e.at)), class: "nowrap" },
        { label: t("au.who"), value: (e) => who(ctx, e.actor) },
        { label: t("au.action"), value: (e) => ui.h("code", {}, e.action) },
        { label: t("au.target"), value: (e) => target(ctx, e.target) },
        { label: t("au.changes"), value: (e) => changes(ctx, e), class: "wrap" },
      ],
      load: (cursor) => ctx.api.get("/v1/audit", { limit: 50, cursor }),
    });
    root.append(ui.card(null, log.el));
  },
};

function who(ctx, actor) {
  const { ui, t } = ctx;
  if (!actor) return "—";
  if (actor.type === "key") return ui.h("span", {}, `${t("au.key")} `, ui.h("code", {}, actor.id));
  return ui.h("span", {}, actor.email || actor.id, actor.role ? ui.h("span", { class: "muted" }, ` · ${actor.role}`) : null);
}

function target(ctx, tgt) {
  const { ui } = ctx;
  if (!tgt) return "—";
  const text = `${tgt.type} ${tgt.id}`;
  return LINKS[tgt.type] && tgt.id ? ui.h("a", { href: LINKS[tgt.type] + encodeURIComponent(tgt.id) }, text) : text;
}

/** Flattens a JSON value into {"a.b[0]": leaf}. */
function flatten(value, prefix = "", out = {}) {
  if (value !== null && typeof value === "object" && !(Array.isArray(value) && value.every((v) => typeof v !== "object"))) {
    const entries = Array.isArray(value) ? value.map((v, i) => [`[${i}]`, v]) : Object.entries(value).map(([k, v]) => [prefix ? `.${k}` : k, v]);
    if (!entries.length) out[prefix] = Array.isArray(value) ? "[]" : "{}";
    for (const [k, v] of entries) flatten(v, prefix + k, out);
  } else out[prefix] = value;
  return out;
}

/** The fields that differ between before and after (all of one side when the other is absent). */
export function diff(before, after) {
  const a = before === undefined || before === null ? {} : flatten(before);
  const b = after === undefined || after === null ? {} : flatten(after);
  const rows = [];
  for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    if (JSON.stringify(a[key]) !== JSON.stringify(b[key])) rows.push({ field: key || "·", before: a[key], after: b[key] });
  }
  return rows;
}

function changes(ctx, e) {
  const { ui, t } = ctx;
  const rows = diff(e.before, e.after);
  if (!rows.length) return t("au.noDiff");
  const show = (v) => (v === undefined ? "—" : typeof v === "string" ? v : JSON.stringify(v));
  return ui.h(
    "details",
    { class: "diff" },
    ui.h("summary", {}, t("au.show", { n: rows.length })),
    table(ctx, {
      columns: [
        { label: t("au.field"), value: (r) => ui.h("code", {}, r.field) },
        { label: t("au.before"), value: (r) => ui.h("del", {}, show(r.before)) },
        { label: t("au.after"), value: (r) => ui.h("ins", {}, show(r.after)) },
      ],
      rows,
    }),
  );
}
