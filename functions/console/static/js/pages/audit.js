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

// What each audited action is called (passaparola/audit/routes.py names them); an action not listed shows its code.
const ACTIONS = {
  "campaign.created": { en: "Campaign created", it: "Campagna creata", es: "Campaña creada", fr: "Campagne créée", de: "Kampagne erstellt", ro: "Campanie creată" },
  "campaign.updated": { en: "Campaign changed", it: "Campagna modificata", es: "Campaña modificada", fr: "Campagne modifiée", de: "Kampagne geändert", ro: "Campanie modificată" },
  "campaign.enabled": { en: "Campaign switched on", it: "Campagna attivata", es: "Campaña activada", fr: "Campagne activée", de: "Kampagne eingeschaltet", ro: "Campanie activată" },
  "campaign.disabled": { en: "Campaign switched off", it: "Campagna disattivata", es: "Campaña desactivada", fr: "Campagne désactivée", de: "Kampagne ausgeschaltet", ro: "Campanie dezactivată" },
  "code.issued": { en: "Code given", it: "Codice assegnato", es: "Código entregado", fr: "Code attribué", de: "Code vergeben", ro: "Cod acordat" },
  "codes.issued": { en: "Codes created", it: "Codici creati", es: "Códigos creados", fr: "Codes créés", de: "Codes erstellt", ro: "Coduri create" },
  "codes.batch_started": { en: "Code batch started", it: "Lotto di codici avviato", es: "Lote de códigos iniciado", fr: "Lot de codes lancé", de: "Code-Stapel gestartet", ro: "Lot de coduri pornit" },
  "code.disabled": { en: "Code switched off", it: "Codice disattivato", es: "Código desactivado", fr: "Code désactivé", de: "Code ausgeschaltet", ro: "Cod dezactivat" },
  "code.enabled": { en: "Code switched on", it: "Codice attivato", es: "Código activado", fr: "Code activé", de: "Code eingeschaltet", ro: "Cod activat" },
  "customer.erased": { en: "Customer erased", it: "Cliente cancellato", es: "Cliente borrado", fr: "Client effacé", de: "Kunde gelöscht", ro: "Client șters" },
  "customer.exported": { en: "Customer's data exported", it: "Dati del cliente esportati", es: "Datos del cliente exportados", fr: "Données du client exportées", de: "Kundendaten exportiert", ro: "Datele clientului exportate" },
  "tokens.revoked": { en: "Customer's tokens revoked", it: "Token del cliente revocati", es: "Tokens del cliente revocados", fr: "Jetons du client révoqués", de: "Token des Kunden widerrufen", ro: "Tokenurile clientului revocate" },
  "points.adjusted": { en: "Points adjusted", it: "Punti rettificati", es: "Puntos ajustados", fr: "Points ajustés", de: "Punkte korrigiert", ro: "Puncte ajustate" },
  "points.imported": { en: "Points imported", it: "Punti importati", es: "Puntos importados", fr: "Points importés", de: "Punkte importiert", ro: "Puncte importate" },
  "conversion.approved": { en: "Conversion approved", it: "Conversione approvata", es: "Conversión aprobada", fr: "Conversion approuvée", de: "Conversion genehmigt", ro: "Conversie aprobată" },
  "conversion.rejected": { en: "Conversion rejected", it: "Conversione rifiutata", es: "Conversión rechazada", fr: "Conversion refusée", de: "Conversion abgelehnt", ro: "Conversie respinsă" },
  "segment.created": { en: "Segment created", it: "Segmento creato", es: "Segmento creado", fr: "Segment créé", de: "Segment erstellt", ro: "Segment creat" },
  "segment.deleted": { en: "Segment deleted", it: "Segmento eliminato", es: "Segmento eliminado", fr: "Segment supprimé", de: "Segment gelöscht", ro: "Segment șters" },
  "engagement.updated": { en: "Engagement settings changed", it: "Impostazioni di coinvolgimento modificate", es: "Ajustes de compromiso modificados", fr: "Réglages d’engagement modifiés", de: "Engagement-Einstellungen geändert", ro: "Setările de implicare modificate" },
  "key.created": { en: "API key created", it: "Chiave API creata", es: "Clave API creada", fr: "Clé API créée", de: "API-Schlüssel erstellt", ro: "Cheie API creată" },
  "key.revoked": { en: "API key revoked", it: "Chiave API revocata", es: "Clave API revocada", fr: "Clé API révoquée", de: "API-Schlüssel widerrufen", ro: "Cheie API revocată" },
  "payout.paid": { en: "Payout marked paid", it: "Pagamento segnato come effettuato", es: "Pago marcado como realizado", fr: "Versement marqué comme effectué", de: "Auszahlung als bezahlt markiert", ro: "Plată marcată ca efectuată" },
  "user.created": { en: "Console user added", it: "Utente della console aggiunto", es: "Usuario de la consola añadido", fr: "Utilisateur de la console ajouté", de: "Konsolen-Benutzer hinzugefügt", ro: "Utilizator al consolei adăugat" },
  "user.updated": { en: "Console user changed", it: "Utente della console modificato", es: "Usuario de la consola modificado", fr: "Utilisateur de la console modifié", de: "Konsolen-Benutzer geändert", ro: "Utilizator al consolei modificat" },
  "webhook.created": { en: "Webhook added", it: "Webhook aggiunto", es: "Webhook añadido", fr: "Webhook ajouté", de: "Webhook hinzugefügt", ro: "Webhook adăugat" },
  "webhook.updated": { en: "Webhook changed", it: "Webhook modificato", es: "Webhook modificado", fr: "Webhook modifié", de: "Webhook geändert", ro: "Webhook modificat" },
  "webhook.deleted": { en: "Webhook deleted", it: "Webhook eliminato", es: "Webhook eliminado", fr: "Webhook supprimé", de: "Webhook gelöscht", ro: "Webhook șters" },
  "webhook.secret_rotated": { en: "Webhook secret rotated", it: "Segreto del webhook rinnovato", es: "Secreto del webhook renovado", fr: "Secret du webhook renouvelé", de: "Webhook-Geheimnis erneuert", ro: "Secretul webhook-ului reînnoit" },
  "webhook.replayed": { en: "Webhook deliveries replayed", it: "Consegne del webhook ripetute", es: "Entregas del webhook repetidas", fr: "Envois du webhook rejoués", de: "Webhook-Zustellungen wiederholt", ro: "Livrări webhook repetate" },
  "route.called": { en: "Other change", it: "Altra modifica", es: "Otro cambio", fr: "Autre modification", de: "Andere Änderung", ro: "Altă modificare" },
};

// What a change was made on, by the target's type; a type not listed shows as the API gives it.
const TARGETS = {
  campaign: { en: "campaign", it: "campagna", es: "campaña", fr: "campagne", de: "Kampagne", ro: "campanie" },
  code: { en: "code", it: "codice", es: "código", fr: "code", de: "Code", ro: "cod" },
  batch: { en: "code batch", it: "lotto di codici", es: "lote de códigos", fr: "lot de codes", de: "Code-Stapel", ro: "lot de coduri" },
  customer: { en: "customer", it: "cliente", es: "cliente", fr: "client", de: "Kunde", ro: "client" },
  conversion: { en: "conversion", it: "conversione", es: "conversión", fr: "conversion", de: "Conversion", ro: "conversie" },
  segment: { en: "segment", it: "segmento", es: "segmento", fr: "segment", de: "Segment", ro: "segment" },
  engagement: { en: "engagement", it: "coinvolgimento", es: "compromiso", fr: "engagement", de: "Engagement", ro: "implicare" },
  key: { en: "API key", it: "chiave API", es: "clave API", fr: "clé API", de: "API-Schlüssel", ro: "cheie API" },
  payout: { en: "payout", it: "pagamento", es: "pago", fr: "versement", de: "Auszahlung", ro: "plată" },
  user: { en: "console user", it: "utente della console", es: "usuario de la consola", fr: "utilisateur de la console", de: "Konsolen-Benutzer", ro: "utilizator al consolei" },
  webhook: { en: "webhook", it: "webhook", es: "webhook", fr: "webhook", de: "Webhook", ro: "webhook" },
  import: { en: "import", it: "importazione", es: "importación", fr: "import", de: "Import", ro: "import" },
  route: { en: "route", it: "percorso", es: "ruta", fr: "route", de: "Route", ro: "rută" },
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
    ui.h("span", { class: "audit-action", "data-action": e.action, title: e.action }, named(ACTIONS, e.action, ctx.lang)),
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
  const text = `${named(TARGETS, tgt.type, ctx.lang)} ${tgt.id}`;
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

/** `key`'s name in `lang` from one of the tables above (English, then the key itself, when it has none). */
function named(table, key, lang) {
  const names = table[key];
  return (names && (names[lang] || names.en)) || key;
}
