// Audit log (owner): every administrative change by a person or a key, newest first, paged, each with
// what it changed (before → after, field by field).
import { table, withKit } from "../kit.js";

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
    const { ui, t } = ctx;
    const list = ui.h("div", { class: "audit-list" });
    root.replaceChildren(ui.pageHeader(t("au.title")), ui.h("p", { class: "muted" }, t("au.intro")), list);
    await ui.pager(
      root,
      async (cursor) => {
        const page = await ctx.api.get("/v1/audit", { limit: 50, cursor });
        if (!cursor && !page.items.length) list.append(ui.h("p", { class: "empty" }, t("kit.none")));
        for (const e of page.items) list.append(entry(ctx, e));
        return page;
      },
      { moreLabel: t("kit.more") },
    );
  },
};

/** One entry: when, who, what, on what; opened, what changed (before → after, field by field). */
function entry(ctx, e) {
  const { ui, t, fmt } = ctx;
  const rows = diff(e.before, e.after);
  // a <summary> holds no link (nested interactive controls): the target's link goes in the opened part
  const line = (linked) => ui.h(
    "span",
    { class: "audit-line" },
    ui.h("time", { datetime: e.at, class: "nowrap" }, fmt.dateTime(e.at)),
    ui.h("span", {}, who(ctx, e.actor)),
    ui.h("code", { class: "audit-action" }, e.action),
    ui.h("span", {}, target(ctx, e.target, linked)),
  );
  if (!rows.length) return ui.h("div", { class: "audit-entry" }, line(true));
  const details = ui.h(
    "details",
    { class: "audit-entry diff" },
    ui.h("summary", {}, line(false), ui.h("span", { class: "audit-count" }, t("au.show", { n: rows.length }))),
  );
  let filled = false;
  details.addEventListener("toggle", () => {
    if (!details.open || filled) return;
    filled = true;
    const link = target(ctx, e.target, true);
    if (typeof link !== "string") details.append(ui.h("p", { class: "audit-target" }, link));
    details.append(changes(ctx, rows));
  });
  return details;
}

function who(ctx, actor) {
  const { ui, t } = ctx;
  if (!actor) return "—";
  if (actor.type === "key") return ui.h("span", {}, `${t("au.key")} `, ui.h("code", {}, actor.id));
  return ui.h("span", {}, actor.email || actor.id, actor.role ? ui.h("span", { class: "muted" }, ` · ${actor.role}`) : null);
}

function target(ctx, tgt, linked) {
  const { ui } = ctx;
  if (!tgt) return "—";
  const text = `${tgt.type} ${tgt.id}`;
  return linked && LINKS[tgt.type] && tgt.id ? ui.h("a", { href: LINKS[tgt.type] + encodeURIComponent(tgt.id) }, text) : text;
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

function changes(ctx, rows) {
  const { ui, t } = ctx;
  const show = (v) => (v === undefined ? "—" : typeof v === "string" ? v : JSON.stringify(v));
  return table(ctx, {
    caption: t("au.changes"),
    columns: [
      { label: t("au.field"), value: (r) => ui.h("code", {}, r.field) },
      { label: t("au.before"), value: (r) => (r.before === undefined ? "—" : ui.h("del", {}, show(r.before))), class: "wrap" },
      { label: t("au.after"), value: (r) => (r.after === undefined ? "—" : ui.h("ins", {}, show(r.after))), class: "wrap" },
    ],
    rows,
  });
}
