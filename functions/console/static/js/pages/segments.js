// Segments: every segment with its size, sizes over the last 30 days (rebuilt from the entry/exit feed,
// GET /v1/segments/changes, kept 35 days), a segment's members paged, and a CSV of its members.
import { csv, facts, pagedTable, table, withKit } from "../kit.js";

const DAYS = 30;
const CHANGE_PAGES = 10; // at most 10,000 changes read for the table of the latest ones; beyond, it is not listed
const BUILT_IN = ["new_customers", "lapsed_180d", "basket_declining", "ambassadors", "future_ambassadors", "opportunists", "top_referrers"];

const NAMES = {
  en: ["New customers", "Lapsed", "Basket declining", "Ambassadors", "Future ambassadors", "Opportunists", "Top referrers"],
  it: ["Nuovi clienti", "Persi", "Carrello in calo", "Ambasciatori", "Futuri ambasciatori", "Opportunisti", "Migliori ambasciatori"],
  es: ["Clientes nuevos", "Inactivos", "Cesta en descenso", "Embajadores", "Futuros embajadores", "Oportunistas", "Mejores embajadores"],
  fr: ["Nouveaux clients", "Inactifs", "Panier en baisse", "Ambassadeurs", "Futurs ambassadeurs", "Opportunistes", "Meilleurs parrains"],
  de: ["Neukunden", "Inaktiv", "Warenkorb sinkt", "Botschafter", "Künftige Botschafter", "Schnäppchenjäger", "Top-Empfehler"],
  ro: ["Clienți noi", "Inactivi", "Coș în scădere", "Ambasadori", "Viitori ambasadori", "Oportuniști", "Cei mai buni ambasadori"],
};
// What each built-in segment means, in plain words, with the shop's own thresholds (GET /v1/engagement: {days},
// {percent}, {n}); the API's wording, with the setting names, is for an integrator.
const DESCRIPTIONS = {
  en: [
    "Signed up in the last {days} days, with at most one order.",
    "Have ordered, but not in the last {days} days.",
    "The average basket of the latest orders fell at least {percent}% below the earlier ones.",
    "At least one of their referrals became an order.",
    "Engaged, loyalty members or with 2+ orders, and no converted referral yet.",
    "2+ orders and at least half with a coupon, or 2+ loyalty rewards taken while not engaged.",
    "At least {n} converted referrals.",
  ],
  it: [
    "Iscritti negli ultimi {days} giorni, con al massimo un ordine.",
    "Hanno ordinato, ma non negli ultimi {days} giorni.",
    "La media del carrello degli ultimi ordini è scesa di almeno il {percent}% rispetto ai precedenti.",
    "Almeno un loro invito è diventato un ordine.",
    "Coinvolti, iscritti al programma fedeltà o con 2+ ordini, ancora senza inviti convertiti.",
    "2+ ordini e almeno metà con un coupon, o 2+ premi fedeltà presi senza essere coinvolti.",
    "Almeno {n} inviti convertiti.",
  ],
  es: [
    "Registrados en los últimos {days} días, con un pedido como máximo.",
    "Han comprado, pero no en los últimos {days} días.",
    "La cesta media de los últimos pedidos bajó al menos un {percent} % respecto a los anteriores.",
    "Al menos uno de sus referidos hizo un pedido.",
    "Comprometidos, miembros del programa de fidelidad o con 2+ pedidos, aún sin referidos convertidos.",
    "2+ pedidos y al menos la mitad con un cupón, o 2+ premios de fidelidad canjeados sin estar comprometidos.",
    "Al menos {n} referidos convertidos.",
  ],
  fr: [
    "Inscrits ces {days} derniers jours, avec au plus une commande.",
    "Ont commandé, mais pas ces {days} derniers jours.",
    "Le panier moyen des dernières commandes a baissé d’au moins {percent} % par rapport aux précédentes.",
    "Au moins un de leurs parrainages est devenu une commande.",
    "Engagés, membres du programme de fidélité ou avec 2+ commandes, sans parrainage converti pour l’instant.",
    "2+ commandes dont au moins la moitié avec un coupon, ou 2+ récompenses de fidélité utilisées sans être engagés.",
    "Au moins {n} parrainages convertis.",
  ],
  de: [
    "In den letzten {days} Tagen registriert, höchstens eine Bestellung.",
    "Haben bestellt, aber nicht in den letzten {days} Tagen.",
    "Der durchschnittliche Warenkorb der letzten Bestellungen liegt mindestens {percent} % unter dem der früheren.",
    "Mindestens eine ihrer Empfehlungen führte zu einer Bestellung.",
    "Engagiert, Mitglied im Treueprogramm oder 2+ Bestellungen, noch keine erfolgreiche Empfehlung.",
    "2+ Bestellungen, mindestens die Hälfte mit Gutschein, oder 2+ Treueprämien eingelöst, ohne engagiert zu sein.",
    "Mindestens {n} erfolgreiche Empfehlungen.",
  ],
  ro: [
    "Înscriși în ultimele {days} zile, cu cel mult o comandă.",
    "Au comandat, dar nu au mai comandat în ultimele {days} zile.",
    "Coșul mediu al ultimelor comenzi a scăzut cu cel puțin {percent}% față de cele anterioare.",
    "Cel puțin una dintre recomandările lor a dus la o comandă.",
    "Implicați, membri ai programului de fidelitate sau cu 2+ comenzi, încă fără recomandări convertite.",
    "2+ comenzi și cel puțin jumătate cu un cupon, sau 2+ recompense de fidelitate folosite fără a fi implicați.",
    "Cel puțin {n} recomandări convertite.",
  ],
};
// Which threshold of GET /v1/engagement fills each built-in segment's placeholder.
const THRESHOLDS = {
  new_customers: { days: "new_customer_days" },
  lapsed_180d: { days: "lapsed_days" },
  basket_declining: { percent: "basket_decline_percent" },
  top_referrers: { n: "top_referrer_min" },
};

const LANGS = {
  en: {
    "seg.title": "Segments",
    "seg.name": "Segment",
    "seg.kind": "Kind",
    "seg.built_in": "built-in",
    "seg.custom": "custom",
    "seg.description": "Who is in it",
    "seg.members": "Members",
    "seg.over": "Sizes over the last {days} days",
    "seg.overOne": "Size over the last {days} days",
    "seg.tooMany": "Too many entries and exits in the last {days} days to list them here.",
    "seg.changes": "Latest entries and exits",
    "seg.when": "When",
    "seg.customer": "Customer",
    "seg.change": "Change",
    "seg.entered": "entered",
    "seg.exited": "exited",
    "seg.reason": "Why",
    "seg.back": "All segments",
    "seg.membersOf": "Members",
    "seg.enteredAt": "In since",
    "seg.export": "Export members (CSV)",
    "seg.exported": "{n} members exported.",
    "seg.conditions": "Conditions",
    "seg.match": "Match",
  },
  it: {
    "seg.title": "Segmenti",
    "seg.name": "Segmento",
    "seg.kind": "Tipo",
    "seg.built_in": "predefinito",
    "seg.custom": "personalizzato",
    "seg.description": "Chi ne fa parte",
    "seg.members": "Membri",
    "seg.over": "Dimensioni negli ultimi {days} giorni",
    "seg.overOne": "Dimensione negli ultimi {days} giorni",
    "seg.tooMany": "Troppe entrate e uscite negli ultimi {days} giorni per elencarle qui.",
    "seg.changes": "Ultime entrate e uscite",
    "seg.when": "Quando",
    "seg.customer": "Cliente",
    "seg.change": "Cambio",
    "seg.entered": "entrato",
    "seg.exited": "uscito",
    "seg.reason": "Perché",
    "seg.back": "Tutti i segmenti",
    "seg.membersOf": "Membri",
    "seg.enteredAt": "Dentro dal",
    "seg.export": "Esporta i membri (CSV)",
    "seg.exported": "{n} membri esportati.",
    "seg.conditions": "Condizioni",
    "seg.match": "Corrispondenza",
  },
  es: {
    "seg.title": "Segmentos",
    "seg.name": "Segmento",
    "seg.kind": "Tipo",
    "seg.built_in": "predefinido",
    "seg.custom": "personalizado",
    "seg.description": "Quién está",
    "seg.members": "Miembros",
    "seg.over": "Tamaños en los últimos {days} días",
    "seg.overOne": "Tamaño en los últimos {days} días",
    "seg.tooMany": "Demasiadas entradas y salidas en los últimos {days} días para listarlas aquí.",
    "seg.changes": "Últimas entradas y salidas",
    "seg.when": "Cuándo",
    "seg.customer": "Cliente",
    "seg.change": "Cambio",
    "seg.entered": "entró",
    "seg.exited": "salió",
    "seg.reason": "Por qué",
    "seg.back": "Todos los segmentos",
    "seg.membersOf": "Miembros",
    "seg.enteredAt": "Dentro desde",
    "seg.export": "Exportar miembros (CSV)",
    "seg.exported": "{n} miembros exportados.",
    "seg.conditions": "Condiciones",
    "seg.match": "Coincidencia",
  },
  fr: {
    "seg.title": "Segments",
    "seg.name": "Segment",
    "seg.kind": "Type",
    "seg.built_in": "prédéfini",
    "seg.custom": "personnalisé",
    "seg.description": "Qui en fait partie",
    "seg.members": "Membres",
    "seg.over": "Tailles sur les {days} derniers jours",
    "seg.overOne": "Taille sur les {days} derniers jours",
    "seg.tooMany": "Trop d’entrées et de sorties sur les {days} derniers jours pour les lister ici.",
    "seg.changes": "Dernières entrées et sorties",
    "seg.when": "Quand",
    "seg.customer": "Client",
    "seg.change": "Changement",
    "seg.entered": "entré",
    "seg.exited": "sorti",
    "seg.reason": "Pourquoi",
    "seg.back": "Tous les segments",
    "seg.membersOf": "Membres",
    "seg.enteredAt": "Dedans depuis",
    "seg.export": "Exporter les membres (CSV)",
    "seg.exported": "{n} membres exportés.",
    "seg.conditions": "Conditions",
    "seg.match": "Correspondance",
  },
  de: {
    "seg.title": "Segmente",
    "seg.name": "Segment",
    "seg.kind": "Art",
    "seg.built_in": "vordefiniert",
    "seg.custom": "eigenes",
    "seg.description": "Wer dazugehört",
    "seg.members": "Mitglieder",
    "seg.over": "Größen der letzten {days} Tage",
    "seg.overOne": "Größe der letzten {days} Tage",
    "seg.tooMany": "Zu viele Ein- und Austritte in den letzten {days} Tagen, um sie hier aufzulisten.",
    "seg.changes": "Letzte Ein- und Austritte",
    "seg.when": "Wann",
    "seg.customer": "Kunde",
    "seg.change": "Änderung",
    "seg.entered": "eingetreten",
    "seg.exited": "ausgetreten",
    "seg.reason": "Warum",
    "seg.back": "Alle Segmente",
    "seg.membersOf": "Mitglieder",
    "seg.enteredAt": "Dabei seit",
    "seg.export": "Mitglieder exportieren (CSV)",
    "seg.exported": "{n} Mitglieder exportiert.",
    "seg.conditions": "Bedingungen",
    "seg.match": "Verknüpfung",
  },
  ro: {
    "seg.title": "Segmente",
    "seg.name": "Segment",
    "seg.kind": "Tip",
    "seg.built_in": "predefinit",
    "seg.custom": "personalizat",
    "seg.description": "Cine face parte",
    "seg.members": "Membri",
    "seg.over": "Dimensiuni în ultimele {days} zile",
    "seg.overOne": "Dimensiunea în ultimele {days} zile",
    "seg.tooMany": "Prea multe intrări și ieșiri în ultimele {days} zile pentru a le lista aici.",
    "seg.changes": "Ultimele intrări și ieșiri",
    "seg.when": "Când",
    "seg.customer": "Client",
    "seg.change": "Schimbare",
    "seg.entered": "a intrat",
    "seg.exited": "a ieșit",
    "seg.reason": "De ce",
    "seg.back": "Toate segmentele",
    "seg.membersOf": "Membri",
    "seg.enteredAt": "Inclus din",
    "seg.export": "Exportă membrii (CSV)",
    "seg.exported": "{n} membri exportați.",
    "seg.conditions": "Condiții",
    "seg.match": "Potrivire",
  },
};
for (const [lang, names] of Object.entries(NAMES)) {
  BUILT_IN.forEach((name, i) => {
    LANGS[lang][`seg.n.${name}`] = names[i];
  });
}
for (const [lang, texts] of Object.entries(DESCRIPTIONS)) {
  BUILT_IN.forEach((name, i) => {
    LANGS[lang][`seg.d.${name}`] = texts[i];
  });
}

export default {
  title: "seg.title",
  roles: ["owner", "marketer"],
  strings: withKit(LANGS),
  async render(root, ctx) {
    if (ctx.path[0]) return renderSegment(root, ctx, decodeURIComponent(ctx.path[0]));
    return renderList(root, ctx);
  },
};

function label(ctx, s) {
  return s.kind === "built_in" && BUILT_IN.includes(s.name) ? ctx.t(`seg.n.${s.name}`) : s.name;
}

/** A built-in segment in plain words with the shop's thresholds; the API's own text without them (or for a custom one). */
function description(ctx, s, engagement) {
  const key = `seg.d.${s.name}`;
  const wanted = THRESHOLDS[s.name] || {};
  if (s.kind !== "built_in" || !BUILT_IN.includes(s.name) || (Object.keys(wanted).length && !engagement)) return s.description;
  const vars = {};
  for (const [name, setting] of Object.entries(wanted)) vars[name] = counted(ctx, engagement[setting]);
  return ctx.t(key, vars);
}

/** A number as the sentence needs it: Romanian puts "de" between 20 or more and its noun ("30 de zile"). */
function counted(ctx, value) {
  const n = ctx.fmt.number(value);
  return ctx.lang === "ro" && new Intl.PluralRules("ro").select(value) === "other" ? `${n} de` : n;
}

/** The shop's segment thresholds, or null when they cannot be read (the descriptions then keep the API's words). */
async function engagementOf(ctx) {
  try {
    return await ctx.api.get("/v1/engagement");
  } catch {
    return null;
  }
}

/** The last DAYS days of changes (oldest first) for the table, or null when there are too many to list. */
async function recentChanges(ctx) {
  const since = new Date(Date.now() - DAYS * 86400000);
  since.setUTCHours(0, 0, 0, 0);
  const items = [];
  let cursor = null;
  for (let i = 0; i < CHANGE_PAGES; i++) {
    const page = await ctx.api.get("/v1/segments/changes", { since: since.toISOString(), limit: 1000, cursor });
    items.push(...page.items);
    cursor = page.next_cursor;
    if (!cursor) return items;
  }
  return null;
}

/**
 * Each segment's size at the end of each of the last DAYS shop-local days, from the API's daily aggregates
 * (GET /v1/segments/sizes: two reads whatever the shop's size). {days, series: {name: [members...]}}
 */
async function sizesOverTime(ctx) {
  const sizes = await ctx.api.get("/v1/segments/sizes", { days: DAYS });
  const days = sizes.items.length ? sizes.items[0].series.map((d) => d.day) : [];
  const series = Object.fromEntries(sizes.items.map((s) => [s.name, s.series.map((d) => d.members)]));
  return { days, series };
}

function changesTable(ctx, changes, { showSegment, segments }) {
  const { ui, t, fmt } = ctx;
  const names = Object.fromEntries((segments || []).map((s) => [s.name, label(ctx, s)]));
  const newest = changes.slice().reverse();
  let shown = 25;
  const holder = ui.h("div", {});
  const columns = [
    { label: t("seg.when"), value: (c) => fmt.dateTime(c.at), class: "nowrap" },
    ...(showSegment ? [{ label: t("seg.name"), value: (c) => ui.h("a", { href: `#/segments/${encodeURIComponent(c.segment)}` }, names[c.segment] || c.segment) }] : []),
    { label: t("seg.customer"), value: (c) => ui.h("a", { href: `#/customers/${encodeURIComponent(c.customer_id)}` }, c.customer_id) },
    { label: t("seg.change"), value: (c) => ui.badge(t(`seg.${c.change}`), c.change === "entered" ? "success" : "neutral") },
    { label: t("seg.reason"), value: (c) => c.reason },
  ];
  const draw = () => {
    const more = ui.h("button", { type: "button", class: "secondary" }, t("kit.more"));
    more.addEventListener("click", () => {
      shown += 25;
      draw();
    });
    holder.replaceChildren(
      table(ctx, { caption: t("seg.changes"), columns, rows: newest.slice(0, shown), empty: t("kit.none") }),
      ...(newest.length > shown ? [ui.h("div", { class: "pager" }, more)] : []),
    );
  };
  draw();
  return holder;
}

async function renderList(root, ctx) {
  const { ui, t, fmt } = ctx;
  root.replaceChildren(ui.pageHeader(t("seg.title")));
  const [{ items }, engagement] = await Promise.all([ctx.api.get("/v1/segments"), engagementOf(ctx)]);
  root.append(
    ui.card(
      null,
      table(ctx, {
        caption: t("seg.title"),
        columns: [
          { label: t("seg.name"), value: (s) => ui.h("a", { href: `#/segments/${encodeURIComponent(s.name)}` }, label(ctx, s)) },
          { label: t("seg.kind"), value: (s) => ui.badge(t(`seg.${s.kind}`), s.kind === "custom" ? "info" : "neutral") },
          { label: t("seg.description"), value: (s) => description(ctx, s, engagement), class: "wrap" },
          { label: t("seg.members"), value: (s) => fmt.number(s.members), align: "end" },
        ],
        rows: items,
      }),
    ),
  );
  const chartCard = ui.card(t("seg.over", { days: DAYS }));
  const feedCard = ui.card(t("seg.changes"));
  root.append(chartCard, feedCard);
  const { days, series } = await sizesOverTime(ctx);
  const holder = ui.h("div", {});
  chartCard.append(holder);
  await ui.chart(holder, {
    days,
    label: t("seg.over", { days: DAYS }),
    series: items.map((s) => ({ label: label(ctx, s), values: series[s.name] || days.map(() => s.members) })),
  });
  const changes = await recentChanges(ctx);
  feedCard.append(
    changes
      ? changesTable(ctx, changes, { showSegment: true, segments: items })
      : ui.h("p", { class: "muted" }, t("seg.tooMany", { days: DAYS })),
  );
}

async function renderSegment(root, ctx, name) {
  const { ui, t, fmt } = ctx;
  const [{ items }, engagement] = await Promise.all([ctx.api.get("/v1/segments"), engagementOf(ctx)]);
  const segment = items.find((s) => s.name === name);
  root.replaceChildren(ui.h("p", { class: "crumbs" }, ui.h("a", { href: "#/segments" }, t("seg.back"))));
  if (!segment) {
    root.append(ui.pageHeader(name), ui.h("p", { role: "alert" }, "404"));
    return;
  }
  const exportButton = ui.h("button", { type: "button", class: "secondary" }, t("seg.export"));
  exportButton.addEventListener("click", () => exportMembers(ctx, exportButton, name));
  root.append(ui.pageHeader(label(ctx, segment), exportButton));
  const pairs = [
    [t("seg.description"), description(ctx, segment, engagement)],
    [t("seg.kind"), t(`seg.${segment.kind}`)],
    [t("seg.members"), fmt.number(segment.members)],
  ];
  if (segment.conditions?.length) {
    pairs.push([t("seg.match"), segment.match || "all"]);
    pairs.push([
      t("seg.conditions"),
      ui.h(
        "ul",
        { class: "plain" },
        ...segment.conditions.map((c) =>
          ui.h("li", {}, ui.h("code", {}, `${c.field}${c.name ? `.${c.name}` : ""} ${c.op} ${JSON.stringify(c.value)}${c.currency ? ` ${c.currency}` : ""}`)),
        ),
      ),
    ]);
  }
  const chartCard = ui.card(t("seg.overOne", { days: DAYS }));
  const members = pagedTable(ctx, {
    caption: t("seg.membersOf"),
    columns: [
      { label: t("seg.customer"), value: (m) => ui.h("a", { href: `#/customers/${encodeURIComponent(m.customer_id)}` }, m.customer_id) },
      { label: t("seg.enteredAt"), value: (m) => fmt.dateTime(m.entered_at) },
    ],
    load: (cursor) => ctx.api.get(`/v1/segments/${encodeURIComponent(name)}/customers`, { limit: 50, cursor }),
  });
  const feedCard = ui.card(t("seg.changes"));
  root.append(ui.card(null, facts(ui, pairs)), chartCard, ui.card(t("seg.membersOf"), members.el), feedCard);
  const { days, series } = await sizesOverTime(ctx);
  const holder = ui.h("div", {});
  chartCard.append(holder);
  await ui.chart(holder, {
    days,
    label: t("seg.overOne", { days: DAYS }),
    series: [{ label: label(ctx, segment), values: series[name] || days.map(() => segment.members) }],
  });
  const changes = await recentChanges(ctx);
  feedCard.append(
    changes
      ? changesTable(ctx, changes.filter((c) => c.segment === name), { showSegment: false })
      : ui.h("p", { class: "muted" }, t("seg.tooMany", { days: DAYS })),
  );
}

/** Every member (pages of 1,000) as a CSV built in the browser. */
async function exportMembers(ctx, button, name) {
  const { ui, t, fmt } = ctx;
  button.disabled = true;
  try {
    const rows = [];
    let cursor = null;
    do {
      const page = await ctx.api.get(`/v1/segments/${encodeURIComponent(name)}/customers`, { limit: 1000, cursor });
      for (const m of page.items) rows.push([m.customer_id, m.entered_at]);
      cursor = page.next_cursor;
    } while (cursor);
    ui.download(`segment-${name}.csv`, csv(["customer_id", "entered_at"], rows));
    ui.toast(t("seg.exported", { n: fmt.number(rows.length) }), "success");
  } catch (err) {
    ui.toast(err.message, "error");
  } finally {
    button.disabled = false;
  }
}
