// Overview: every campaign with its status and one-click switch, and what the programs cost and brought over
// the last 7/30/90 days (GET /v1/reports/overview: daily aggregates, never a scan), as numbers and charts.

import { campaignSwitch, typeBadge, TYPE_STRINGS } from "./campaigns.js";

const PERIODS = [7, 30, 90];
const COUNTS = ["redemptions", "conversions", "points_issued", "points_spent", "messages_sent"];

const STRINGS = {
  en: {
    title: "Overview",
    lead: "What your programs brought and cost, day by day.",
    period: "Period",
    days: "{n} days",
    range: "{from} – {to}",
    redemptions: "Redemptions",
    discount: "Discount given",
    conversions: "Referral conversions",
    rewards_cost: "Rewards cost",
    points_issued: "Points issued",
    points_spent: "Points spent",
    messages_sent: "Messages sent",
    chartOrders: "Redemptions and referral conversions",
    chartMoney: "Discount given and rewards cost ({currency})",
    chartMoneyNone: "Discount given and rewards cost",
    chartPoints: "Loyalty points",
    chartMessages: "Messages sent",
    campaigns: "Campaigns",
    name: "Name",
    type: "Type",
    status: "Status",
    results: "In this period",
    noCampaigns: "No campaigns yet. Create your first one to see it here.",
    newCampaign: "New campaign",
    noMoney: "No money moved in this period.",
    onCount: "On: {on} of {total}",
  },
  it: {
    title: "Panoramica",
    lead: "Cosa hanno portato e quanto sono costati i tuoi programmi, giorno per giorno.",
    period: "Periodo",
    days: "{n} giorni",
    range: "{from} – {to}",
    redemptions: "Utilizzi dei coupon",
    discount: "Sconti concessi",
    conversions: "Conversioni referral",
    rewards_cost: "Costo dei premi",
    points_issued: "Punti assegnati",
    points_spent: "Punti spesi",
    messages_sent: "Messaggi inviati",
    chartOrders: "Utilizzi dei coupon e conversioni referral",
    chartMoney: "Sconti concessi e costo dei premi ({currency})",
    chartMoneyNone: "Sconti concessi e costo dei premi",
    chartPoints: "Punti fedeltà",
    chartMessages: "Messaggi inviati",
    campaigns: "Campagne",
    name: "Nome",
    type: "Tipo",
    status: "Stato",
    results: "In questo periodo",
    noCampaigns: "Ancora nessuna campagna. Crea la prima per vederla qui.",
    newCampaign: "Nuova campagna",
    noMoney: "Nessun movimento di denaro in questo periodo.",
    onCount: "Attive: {on} su {total}",
  },
  es: {
    title: "Resumen",
    lead: "Lo que tus programas aportaron y costaron, día a día.",
    period: "Periodo",
    days: "{n} días",
    range: "{from} – {to}",
    redemptions: "Canjes",
    discount: "Descuento concedido",
    conversions: "Conversiones de referidos",
    rewards_cost: "Coste de recompensas",
    points_issued: "Puntos otorgados",
    points_spent: "Puntos gastados",
    messages_sent: "Mensajes enviados",
    chartOrders: "Canjes y conversiones de referidos",
    chartMoney: "Descuento concedido y coste de recompensas ({currency})",
    chartMoneyNone: "Descuento concedido y coste de recompensas",
    chartPoints: "Puntos de fidelidad",
    chartMessages: "Mensajes enviados",
    campaigns: "Campañas",
    name: "Nombre",
    type: "Tipo",
    status: "Estado",
    results: "En este periodo",
    noCampaigns: "Aún no hay campañas. Crea la primera para verla aquí.",
    newCampaign: "Nueva campaña",
    noMoney: "No se movió dinero en este periodo.",
    onCount: "Activas: {on} de {total}",
  },
  fr: {
    title: "Vue d’ensemble",
    lead: "Ce que vos programmes ont rapporté et coûté, jour après jour.",
    period: "Période",
    days: "{n} jours",
    range: "{from} – {to}",
    redemptions: "Utilisations",
    discount: "Remises accordées",
    conversions: "Conversions de parrainage",
    rewards_cost: "Coût des récompenses",
    points_issued: "Points attribués",
    points_spent: "Points dépensés",
    messages_sent: "Messages envoyés",
    chartOrders: "Utilisations et conversions de parrainage",
    chartMoney: "Remises accordées et coût des récompenses ({currency})",
    chartMoneyNone: "Remises accordées et coût des récompenses",
    chartPoints: "Points de fidélité",
    chartMessages: "Messages envoyés",
    campaigns: "Campagnes",
    name: "Nom",
    type: "Type",
    status: "Statut",
    results: "Sur la période",
    noCampaigns: "Pas encore de campagne. Créez la première pour la voir ici.",
    newCampaign: "Nouvelle campagne",
    noMoney: "Aucun mouvement d’argent sur la période.",
    onCount: "Actives : {on} sur {total}",
  },
  de: {
    title: "Übersicht",
    lead: "Was Ihre Programme gebracht und gekostet haben, Tag für Tag.",
    period: "Zeitraum",
    days: "{n} Tage",
    range: "{from} – {to}",
    redemptions: "Einlösungen",
    discount: "Gewährte Rabatte",
    conversions: "Empfehlungs-Conversions",
    rewards_cost: "Kosten der Prämien",
    points_issued: "Vergebene Punkte",
    points_spent: "Eingelöste Punkte",
    messages_sent: "Gesendete Nachrichten",
    chartOrders: "Einlösungen und Empfehlungs-Conversions",
    chartMoney: "Rabatte und Prämienkosten ({currency})",
    chartMoneyNone: "Rabatte und Prämienkosten",
    chartPoints: "Treuepunkte",
    chartMessages: "Gesendete Nachrichten",
    campaigns: "Kampagnen",
    name: "Name",
    type: "Typ",
    status: "Status",
    results: "Im Zeitraum",
    noCampaigns: "Noch keine Kampagnen. Legen Sie die erste an.",
    newCampaign: "Neue Kampagne",
    noMoney: "In diesem Zeitraum wurde kein Geld bewegt.",
    onCount: "Aktiv: {on} von {total}",
  },
  ro: {
    title: "Prezentare",
    lead: "Ce au adus și cât au costat programele tale, zi de zi.",
    period: "Perioadă",
    days: "{n} zile",
    range: "{from} – {to}",
    redemptions: "Utilizări",
    discount: "Reduceri acordate",
    conversions: "Conversii din recomandări",
    rewards_cost: "Costul recompenselor",
    points_issued: "Puncte acordate",
    points_spent: "Puncte cheltuite",
    messages_sent: "Mesaje trimise",
    chartOrders: "Utilizări și conversii din recomandări",
    chartMoney: "Reduceri acordate și costul recompenselor ({currency})",
    chartMoneyNone: "Reduceri acordate și costul recompenselor",
    chartPoints: "Puncte de fidelitate",
    chartMessages: "Mesaje trimise",
    campaigns: "Campanii",
    name: "Nume",
    type: "Tip",
    status: "Stare",
    results: "În această perioadă",
    noCampaigns: "Nicio campanie încă. Creează prima campanie.",
    newCampaign: "Campanie nouă",
    noMoney: "Niciun ban mișcat în această perioadă.",
    onCount: "Active: {on} din {total}",
  },
};

function mergeStrings(...sets) {
  const out = {};
  for (const set of sets) for (const [lang, strings] of Object.entries(set)) out[lang] = { ...(out[lang] || {}), ...strings };
  return out;
}

/** Money per currency ({EUR: 1250, RON: 300}) as "€12.50 · 3,00 RON"; the main currency first. */
function moneyText(fmt, amounts, t) {
  const entries = Object.entries(amounts || {}).filter(([, v]) => v);
  if (!entries.length) return fmt.money(0, mainCurrency(amounts) || "EUR");
  entries.sort((a, b) => b[1] - a[1]);
  return entries.map(([c, v]) => fmt.money(v, c)).join(" · ");
}

function mainCurrency(...amountSets) {
  const sums = {};
  for (const set of amountSets) for (const [c, v] of Object.entries(set || {})) sums[c] = (sums[c] || 0) + v;
  const sorted = Object.entries(sums).sort((a, b) => b[1] - a[1]);
  return sorted.length ? sorted[0][0] : null;
}

/** Every calendar day from `from` to `to` (ISO dates), for a window without campaigns. */
function daysBetween(from, to) {
  const out = [];
  if (!from || !to) return out;
  for (let d = new Date(from + "T00:00:00Z"); d <= new Date(to + "T00:00:00Z") && out.length < 400; d.setUTCDate(d.getUTCDate() + 1)) {
    out.push(d.toISOString().slice(0, 10));
  }
  return out;
}

/** The day-by-day sum over every campaign of one counter (or one currency of a money figure). */
function daily(campaigns, days, pick) {
  return days.map((_, i) => campaigns.reduce((sum, c) => sum + (pick(c.series[i]) || 0), 0));
}

/** What a campaign did in the window, in one line, by its type. */
function resultOf(c, ctx) {
  const { t, fmt } = ctx;
  const totals = c.totals;
  if (c.type === "discount") return `${fmt.number(totals.redemptions)} ${t("redemptions").toLowerCase()} · ${moneyText(fmt, totals.discount)}`;
  if (c.type === "referral") return `${fmt.number(totals.conversions)} ${t("conversions").toLowerCase()} · ${moneyText(fmt, totals.rewards_cost)}`;
  if (c.type === "loyalty") return `${fmt.number(totals.points_issued)} ${t("points_issued").toLowerCase()} · ${fmt.number(totals.points_spent)} ${t("points_spent").toLowerCase()}`;
  return `${fmt.number(totals.messages_sent)} ${t("messages_sent").toLowerCase()}`;
}

export default {
  title: "title",
  roles: ["owner", "marketer"],
  strings: mergeStrings(TYPE_STRINGS, STRINGS),
  async render(root, ctx) {
    const { api, t, fmt, ui, query } = ctx;
    const { h } = ui;
    const chosen = Number(query.get("days"));
    const days = PERIODS.includes(chosen) ? chosen : 30;

    const selector = h(
      "div",
      { class: "segmented", role: "group", "aria-label": t("period") },
      PERIODS.map((n) =>
        h(
          "button",
          { type: "button", "aria-pressed": String(n === days), onclick: () => ctx.navigate("#/overview?days=" + n) },
          t("days", { n }),
        ),
      ),
    );
    const header = ui.pageHeader(t("title"), selector);
    const body = h("div", null, ui.spinner(t("common.loading")));
    root.append(header, body);

    const data = await api.get("/v1/reports/overview", { days });
    if (!ctx.isCurrent()) return;
    const campaigns = data.campaigns || [];
    const totals = data.totals || {};
    const dayList = (campaigns[0] && campaigns[0].series.map((d) => d.day)) || daysBetween(data.from, data.to);
    const currency = mainCurrency(totals.discount, totals.rewards_cost);

    header.querySelector("h1").after(
      h("p", { class: "page-sub" }, t("range", { from: fmt.date(data.from), to: fmt.date(data.to) })),
    );

    const stats = h(
      "div",
      { class: "stats" },
      ui.stat(t("redemptions"), fmt.number(totals.redemptions || 0)),
      ui.stat(t("discount"), moneyText(fmt, totals.discount)),
      ui.stat(t("conversions"), fmt.number(totals.conversions || 0)),
      ui.stat(t("rewards_cost"), moneyText(fmt, totals.rewards_cost)),
      ui.stat(t("points_issued"), fmt.number(totals.points_issued || 0)),
      ui.stat(t("points_spent"), fmt.number(totals.points_spent || 0)),
      ui.stat(t("messages_sent"), fmt.number(totals.messages_sent || 0)),
    );

    const chartCards = [];
    const chartSpecs = [];
    function addChart(title, series, format) {
      const holder = h("div", { class: "chart-holder" });
      chartCards.push(ui.card(title, holder));
      chartSpecs.push({ holder, series, format, title });
    }
    if (dayList.length) {
      addChart(t("chartOrders"), [
        { label: t("redemptions"), values: daily(campaigns, dayList, (d) => d.redemptions) },
        { label: t("conversions"), values: daily(campaigns, dayList, (d) => d.conversions) },
      ]);
      addChart(
        currency ? t("chartMoney", { currency }) : t("chartMoneyNone"),
        [
          { label: t("discount"), values: daily(campaigns, dayList, (d) => (d.discount || {})[currency || "EUR"]) },
          { label: t("rewards_cost"), values: daily(campaigns, dayList, (d) => (d.rewards_cost || {})[currency || "EUR"]) },
        ],
        (v) => fmt.money(v, currency || "EUR"),
      );
      addChart(t("chartPoints"), [
        { label: t("points_issued"), values: daily(campaigns, dayList, (d) => d.points_issued) },
        { label: t("points_spent"), values: daily(campaigns, dayList, (d) => d.points_spent) },
      ]);
      addChart(t("chartMessages"), [{ label: t("messages_sent"), values: daily(campaigns, dayList, (d) => d.messages_sent) }]);
    }

    const on = campaigns.filter((c) => c.status === "enabled").length;
    const count = h("span", { class: "hint" }, t("onCount", { on, total: campaigns.length }));
    const campaignTable = ui.table({
      caption: t("campaigns"),
      columns: [
        { label: t("name"), value: (c) => h("a", { href: "#/campaigns/" + encodeURIComponent(c.id) }, c.name) },
        { label: t("type"), value: (c) => typeBadge(c.type, t) },
        {
          label: t("status"),
          value: (c) =>
            campaignSwitch(ctx, c, (enabled) => {
              c.status = enabled ? "enabled" : "disabled";
              count.textContent = t("onCount", { on: campaigns.filter((x) => x.status === "enabled").length, total: campaigns.length });
            }),
        },
        { label: t("results"), value: (c) => resultOf(c, ctx) },
      ],
      rows: campaigns,
      empty: t("noCampaigns"),
    });
    const campaignsCard = h(
      "section",
      { class: "card" },
      h(
        "div",
        { class: "card-header" },
        h("h2", null, t("campaigns")),
        count,
        h("a", { class: "button primary small", href: "#/campaigns/new" }, t("newCampaign")),
      ),
      campaignTable,
    );

    ui.clear(body).append(stats, campaignsCard, h("div", { class: "grid charts" }, chartCards));
    for (const spec of chartSpecs) {
      await ui.chart(spec.holder, { days: dayList, series: spec.series, format: spec.format, label: spec.title, height: 200 });
      if (!ctx.isCurrent()) return;
    }
  },
};
