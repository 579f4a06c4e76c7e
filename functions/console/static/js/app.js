// The shell: sign-in, the top bar and the menu for the person's role, and a hash router that loads each
// page's module on first visit (pages/<name>.js) and renders it inside an error boundary.

import { api, ApiError, base, session, whenSignedOut } from "./api.js";
import { fmt, lang, LANGUAGES, makeT, onLangChange, setLang } from "./i18n.js";
import * as ui from "./ui.js";

const { h, clear } = ui;

export const STRINGS = {
  en: {
    "nav.overview": "Overview",
    "nav.campaigns": "Campaigns",
    "nav.codes": "Codes",
    "nav.referrals": "Referrals",
    "nav.customers": "Customers",
    "nav.segments": "Segments",
    "nav.messages": "Messages",
    "nav.mailbox": "Mailbox",
    "nav.audit": "Audit log",
    "nav.settings": "Settings",
    "nav.menu": "Menu",
    "nav.main": "Main menu",
    "nav.skip": "Skip to content",
    "role.owner": "Owner",
    "role.marketer": "Marketer",
    "role.support": "Support",
    "shell.language": "Language",
    "shell.signOut": "Sign out",
    "shell.signedInAs": "Signed in as {email}",
    "shell.local": "Local",
    "signin.title": "Sign in to the console",
    "signin.lead": "Run your referral, coupon and loyalty programs.",
    "signin.email": "Email",
    "signin.password": "Password",
    "signin.submit": "Sign in",
    "signin.busy": "Signing in…",
    "signin.invalid": "Wrong email or password.",
    "signin.newPassword": "Choose a new password",
    "signin.newPasswordLead": "This is your first sign-in: choose your own password.",
    "signin.newPasswordLabel": "New password",
    "signin.newPasswordHint": "At least 8 characters.",
    "signin.setPassword": "Save and sign in",
    "signin.devUsers": "Local stack: owner@example.com, marketer@example.com or support@example.com, password passaparola-dev.",
    "signin.expired": "Your session ended. Sign in again.",
    "error.title": "Something went wrong",
    "error.network": "The server could not be reached. Check your connection and try again.",
    "error.forbidden": "Your role ({role}) may not open this page.",
    "error.notFound": "There is no such page.",
    "error.missingPage": "This page is not available yet.",
    "error.retry": "Try again",
    "error.home": "Go to the start page",
    "common.loading": "Loading…",
    "common.save": "Save",
    "common.cancel": "Cancel",
    "common.more": "More",
    "common.none": "Nothing here yet.",
    "common.confirm": "Confirm",
    "common.close": "Close",
  },
  it: {
    "nav.overview": "Panoramica",
    "nav.campaigns": "Campagne",
    "nav.codes": "Codici",
    "nav.referrals": "Referral",
    "nav.customers": "Clienti",
    "nav.segments": "Segmenti",
    "nav.messages": "Messaggi",
    "nav.mailbox": "Casella di posta",
    "nav.audit": "Registro attività",
    "nav.settings": "Impostazioni",
    "nav.menu": "Menu",
    "nav.main": "Menu principale",
    "nav.skip": "Vai al contenuto",
    "role.owner": "Titolare",
    "role.marketer": "Marketing",
    "role.support": "Assistenza",
    "shell.language": "Lingua",
    "shell.signOut": "Esci",
    "shell.signedInAs": "Accesso come {email}",
    "shell.local": "Locale",
    "signin.title": "Accedi alla console",
    "signin.lead": "Gestisci i tuoi programmi di referral, coupon e fedeltà.",
    "signin.email": "Email",
    "signin.password": "Password",
    "signin.submit": "Accedi",
    "signin.busy": "Accesso in corso…",
    "signin.invalid": "Email o password errate.",
    "signin.newPassword": "Scegli una nuova password",
    "signin.newPasswordLead": "È il tuo primo accesso: scegli una password personale.",
    "signin.newPasswordLabel": "Nuova password",
    "signin.newPasswordHint": "Almeno 8 caratteri.",
    "signin.setPassword": "Salva e accedi",
    "signin.devUsers": "Stack locale: owner@example.com, marketer@example.com o support@example.com, password passaparola-dev.",
    "signin.expired": "La sessione è scaduta. Accedi di nuovo.",
    "error.title": "Qualcosa è andato storto",
    "error.network": "Impossibile raggiungere il server. Controlla la connessione e riprova.",
    "error.forbidden": "Il tuo ruolo ({role}) non può aprire questa pagina.",
    "error.notFound": "Questa pagina non esiste.",
    "error.missingPage": "Questa pagina non è ancora disponibile.",
    "error.retry": "Riprova",
    "error.home": "Vai alla pagina iniziale",
    "common.loading": "Caricamento…",
    "common.save": "Salva",
    "common.cancel": "Annulla",
    "common.more": "Altri",
    "common.none": "Ancora niente qui.",
    "common.confirm": "Conferma",
    "common.close": "Chiudi",
  },
  es: {
    "nav.overview": "Resumen",
    "nav.campaigns": "Campañas",
    "nav.codes": "Códigos",
    "nav.referrals": "Referidos",
    "nav.customers": "Clientes",
    "nav.segments": "Segmentos",
    "nav.messages": "Mensajes",
    "nav.mailbox": "Buzón",
    "nav.audit": "Registro de actividad",
    "nav.settings": "Ajustes",
    "nav.menu": "Menú",
    "nav.main": "Menú principal",
    "nav.skip": "Ir al contenido",
    "role.owner": "Propietario",
    "role.marketer": "Marketing",
    "role.support": "Soporte",
    "shell.language": "Idioma",
    "shell.signOut": "Cerrar sesión",
    "shell.signedInAs": "Sesión de {email}",
    "shell.local": "Local",
    "signin.title": "Inicia sesión en la consola",
    "signin.lead": "Gestiona tus programas de referidos, cupones y fidelidad.",
    "signin.email": "Correo electrónico",
    "signin.password": "Contraseña",
    "signin.submit": "Iniciar sesión",
    "signin.busy": "Iniciando sesión…",
    "signin.invalid": "Correo o contraseña incorrectos.",
    "signin.newPassword": "Elige una contraseña nueva",
    "signin.newPasswordLead": "Es tu primer acceso: elige tu propia contraseña.",
    "signin.newPasswordLabel": "Contraseña nueva",
    "signin.newPasswordHint": "Al menos 8 caracteres.",
    "signin.setPassword": "Guardar y entrar",
    "signin.devUsers": "Stack local: owner@example.com, marketer@example.com o support@example.com, contraseña passaparola-dev.",
    "signin.expired": "Tu sesión ha terminado. Vuelve a iniciar sesión.",
    "error.title": "Algo ha fallado",
    "error.network": "No se puede contactar con el servidor. Revisa la conexión y vuelve a intentarlo.",
    "error.forbidden": "Tu rol ({role}) no puede abrir esta página.",
    "error.notFound": "Esta página no existe.",
    "error.missingPage": "Esta página aún no está disponible.",
    "error.retry": "Reintentar",
    "error.home": "Ir a la página de inicio",
    "common.loading": "Cargando…",
    "common.save": "Guardar",
    "common.cancel": "Cancelar",
    "common.more": "Más",
    "common.none": "Aún no hay nada.",
    "common.confirm": "Confirmar",
    "common.close": "Cerrar",
  },
  fr: {
    "nav.overview": "Vue d’ensemble",
    "nav.campaigns": "Campagnes",
    "nav.codes": "Codes",
    "nav.referrals": "Parrainage",
    "nav.customers": "Clients",
    "nav.segments": "Segments",
    "nav.messages": "Messages",
    "nav.mailbox": "Boîte aux lettres",
    "nav.audit": "Journal d’activité",
    "nav.settings": "Paramètres",
    "nav.menu": "Menu",
    "nav.main": "Menu principal",
    "nav.skip": "Aller au contenu",
    "role.owner": "Propriétaire",
    "role.marketer": "Marketing",
    "role.support": "Support",
    "shell.language": "Langue",
    "shell.signOut": "Se déconnecter",
    "shell.signedInAs": "Connecté : {email}",
    "shell.local": "Local",
    "signin.title": "Connexion à la console",
    "signin.lead": "Pilotez vos programmes de parrainage, de coupons et de fidélité.",
    "signin.email": "E-mail",
    "signin.password": "Mot de passe",
    "signin.submit": "Se connecter",
    "signin.busy": "Connexion…",
    "signin.invalid": "E-mail ou mot de passe incorrect.",
    "signin.newPassword": "Choisissez un nouveau mot de passe",
    "signin.newPasswordLead": "C’est votre première connexion : choisissez votre mot de passe.",
    "signin.newPasswordLabel": "Nouveau mot de passe",
    "signin.newPasswordHint": "Au moins 8 caractères.",
    "signin.setPassword": "Enregistrer et se connecter",
    "signin.devUsers": "Stack local : owner@example.com, marketer@example.com ou support@example.com, mot de passe passaparola-dev.",
    "signin.expired": "Votre session a expiré. Reconnectez-vous.",
    "error.title": "Un problème est survenu",
    "error.network": "Le serveur est injoignable. Vérifiez la connexion et réessayez.",
    "error.forbidden": "Votre rôle ({role}) ne permet pas d’ouvrir cette page.",
    "error.notFound": "Cette page n’existe pas.",
    "error.missingPage": "Cette page n’est pas encore disponible.",
    "error.retry": "Réessayer",
    "error.home": "Aller à l’accueil",
    "common.loading": "Chargement…",
    "common.save": "Enregistrer",
    "common.cancel": "Annuler",
    "common.more": "Plus",
    "common.none": "Rien pour l’instant.",
    "common.confirm": "Confirmer",
    "common.close": "Fermer",
  },
  de: {
    "nav.overview": "Übersicht",
    "nav.campaigns": "Kampagnen",
    "nav.codes": "Codes",
    "nav.referrals": "Empfehlungen",
    "nav.customers": "Kunden",
    "nav.segments": "Segmente",
    "nav.messages": "Nachrichten",
    "nav.mailbox": "Postfach",
    "nav.audit": "Änderungsprotokoll",
    "nav.settings": "Einstellungen",
    "nav.menu": "Menü",
    "nav.main": "Hauptmenü",
    "nav.skip": "Zum Inhalt springen",
    "role.owner": "Inhaber",
    "role.marketer": "Marketing",
    "role.support": "Kundenservice",
    "shell.language": "Sprache",
    "shell.signOut": "Abmelden",
    "shell.signedInAs": "Angemeldet als {email}",
    "shell.local": "Lokal",
    "signin.title": "Bei der Konsole anmelden",
    "signin.lead": "Steuern Sie Ihre Empfehlungs-, Gutschein- und Treueprogramme.",
    "signin.email": "E-Mail",
    "signin.password": "Passwort",
    "signin.submit": "Anmelden",
    "signin.busy": "Anmeldung…",
    "signin.invalid": "E-Mail oder Passwort ist falsch.",
    "signin.newPassword": "Neues Passwort wählen",
    "signin.newPasswordLead": "Dies ist Ihre erste Anmeldung: Wählen Sie ein eigenes Passwort.",
    "signin.newPasswordLabel": "Neues Passwort",
    "signin.newPasswordHint": "Mindestens 8 Zeichen.",
    "signin.setPassword": "Speichern und anmelden",
    "signin.devUsers": "Lokaler Stack: owner@example.com, marketer@example.com oder support@example.com, Passwort passaparola-dev.",
    "signin.expired": "Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an.",
    "error.title": "Etwas ist schiefgelaufen",
    "error.network": "Der Server ist nicht erreichbar. Prüfen Sie die Verbindung und versuchen Sie es erneut.",
    "error.forbidden": "Ihre Rolle ({role}) darf diese Seite nicht öffnen.",
    "error.notFound": "Diese Seite gibt es nicht.",
    "error.missingPage": "Diese Seite ist noch nicht verfügbar.",
    "error.retry": "Erneut versuchen",
    "error.home": "Zur Startseite",
    "common.loading": "Wird geladen…",
    "common.save": "Speichern",
    "common.cancel": "Abbrechen",
    "common.more": "Mehr",
    "common.none": "Noch nichts vorhanden.",
    "common.confirm": "Bestätigen",
    "common.close": "Schließen",
  },
  ro: {
    "nav.overview": "Prezentare",
    "nav.campaigns": "Campanii",
    "nav.codes": "Coduri",
    "nav.referrals": "Recomandări",
    "nav.customers": "Clienți",
    "nav.segments": "Segmente",
    "nav.messages": "Mesaje",
    "nav.mailbox": "Căsuță poștală",
    "nav.audit": "Jurnal de activitate",
    "nav.settings": "Setări",
    "nav.menu": "Meniu",
    "nav.main": "Meniu principal",
    "nav.skip": "Sari la conținut",
    "role.owner": "Proprietar",
    "role.marketer": "Marketing",
    "role.support": "Asistență",
    "shell.language": "Limbă",
    "shell.signOut": "Deconectare",
    "shell.signedInAs": "Conectat ca {email}",
    "shell.local": "Local",
    "signin.title": "Conectează-te la consolă",
    "signin.lead": "Gestionează programele de recomandare, cupoane și fidelitate.",
    "signin.email": "E-mail",
    "signin.password": "Parolă",
    "signin.submit": "Conectare",
    "signin.busy": "Se conectează…",
    "signin.invalid": "E-mail sau parolă greșite.",
    "signin.newPassword": "Alege o parolă nouă",
    "signin.newPasswordLead": "Este prima ta conectare: alege-ți propria parolă.",
    "signin.newPasswordLabel": "Parolă nouă",
    "signin.newPasswordHint": "Cel puțin 8 caractere.",
    "signin.setPassword": "Salvează și conectează-te",
    "signin.devUsers": "Stack local: owner@example.com, marketer@example.com sau support@example.com, parola passaparola-dev.",
    "signin.expired": "Sesiunea a expirat. Conectează-te din nou.",
    "error.title": "Ceva nu a funcționat",
    "error.network": "Serverul nu poate fi contactat. Verifică conexiunea și încearcă din nou.",
    "error.forbidden": "Rolul tău ({role}) nu poate deschide această pagină.",
    "error.notFound": "Această pagină nu există.",
    "error.missingPage": "Această pagină nu este încă disponibilă.",
    "error.retry": "Încearcă din nou",
    "error.home": "Mergi la pagina de start",
    "common.loading": "Se încarcă…",
    "common.save": "Salvează",
    "common.cancel": "Anulează",
    "common.more": "Mai mult",
    "common.none": "Nimic deocamdată.",
    "common.confirm": "Confirmă",
    "common.close": "Închide",
  },
};
const t = makeT(STRINGS);

// The menu, in order: page → who sees it (docs/console.md "Roles"; the API enforces the same on every route).
export const PAGES = [
  { page: "overview", roles: ["owner", "marketer"] },
  { page: "campaigns", roles: ["owner", "marketer"] },
  { page: "codes", roles: ["owner", "marketer", "support"] },
  { page: "referrals", roles: ["owner", "marketer"] },
  { page: "customers", roles: ["owner", "marketer", "support"] },
  { page: "segments", roles: ["owner", "marketer"] },
  { page: "messages", roles: ["owner", "marketer"] },
  { page: "mailbox", roles: ["owner", "marketer"], local: true },
  { page: "audit", roles: ["owner"] },
  { page: "settings", roles: ["owner"] },
];

let config = { stage: "", local: false };
const root = document.getElementById("app");
const modules = new Map();
let renderToken = 0;
let signInNotice = "";

function menuFor(role) {
  return PAGES.filter((p) => p.roles.includes(role) && (!p.local || config.local));
}

function homeFor(role) {
  const first = menuFor(role)[0];
  return "#/" + (first ? first.page : "overview");
}

/** "#/campaigns/abc?x=1" → {page: "campaigns", path: ["abc"], query}. */
export function parseHash(hash) {
  const raw = (hash || "").replace(/^#\/?/, "");
  const [pathPart, queryPart] = raw.split("?");
  const segments = pathPart.split("/").filter(Boolean).map(decodeURIComponent);
  return { page: segments[0] || "", path: segments.slice(1), query: new URLSearchParams(queryPart || "") };
}

/** Which module draws a route: the campaign editor is its own module under #/campaigns/<id|new>. */
function moduleName(route) {
  if (route.page === "campaigns" && route.path.length) return "editor";
  return route.page;
}

function loadModule(name) {
  if (!modules.has(name)) {
    const promise = import(`./pages/${name}.js`).then((m) => m.default);
    promise.catch(() => modules.delete(name));
    modules.set(name, promise);
  }
  return modules.get(name);
}

// --------------------------------------------------------------------------------------- sign-in
function renderSignIn() {
  document.title = t("signin.title") + " · Passaparola";
  const email = h("input", { name: "email", type: "email", autocomplete: "username", required: true, spellcheck: "false" });
  const password = h("input", { name: "password", type: "password", autocomplete: "current-password", required: true });
  const submit = h("button", { type: "submit", class: "primary wide" }, t("signin.submit"));
  const form = h(
    "form",
    { class: "signin-form", novalidate: true, "aria-labelledby": "signin-title" },
    signInNotice ? h("div", { class: "notice", role: "status" }, signInNotice) : null,
    ui.field(t("signin.email"), email),
    ui.field(t("signin.password"), password),
    submit,
  );
  signInNotice = "";
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    ui.clearErrors(form);
    submit.disabled = true;
    submit.textContent = t("signin.busy");
    try {
      const result = await api.signIn({ email: email.value.trim(), password: password.value });
      signedIn(result);
    } catch (error) {
      if (error instanceof ApiError && error.code === "new_password_required") {
        renderNewPassword(email.value.trim(), error.details.session);
        return;
      }
      ui.formErrors(form, error, { fallback: (e) => signInError(e) });
    } finally {
      submit.disabled = false;
      submit.textContent = t("signin.submit");
    }
  });
  clear(root).append(signInFrame(t("signin.title"), t("signin.lead"), form));
  root.classList.remove("boot");
  root.removeAttribute("aria-busy");
  email.focus();
}

function signInError(error) {
  if (error.status === 0) return t("error.network");
  if (error.code === "invalid_credentials") return t("signin.invalid");
  return error.message;
}

function renderNewPassword(email, challenge) {
  const password = h("input", { name: "new_password", type: "password", autocomplete: "new-password", required: true, minlength: "8" });
  const submit = h("button", { type: "submit", class: "primary wide" }, t("signin.setPassword"));
  const form = h(
    "form",
    { class: "signin-form", novalidate: true },
    ui.field(t("signin.newPasswordLabel"), password, { hint: t("signin.newPasswordHint") }),
    submit,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    submit.disabled = true;
    try {
      signedIn(await api.signIn({ email, new_password: password.value, session: challenge }));
    } catch (error) {
      ui.formErrors(form, error, { fallback: (e) => signInError(e) });
    } finally {
      submit.disabled = false;
    }
  });
  clear(root).append(signInFrame(t("signin.newPassword"), t("signin.newPasswordLead"), form));
  password.focus();
}

function signInFrame(title, lead, form) {
  return h(
    "main",
    { class: "signin", id: "main" },
    h(
      "div",
      { class: "signin-card" },
      h("div", { class: "brand brand-large" }, h("img", { src: base + "/admin/static/img/icon.svg", alt: "", width: "36", height: "36" }), h("span", null, "Passaparola")),
      h("h1", { id: "signin-title" }, title),
      h("p", { class: "lead" }, lead),
      form,
      config.local ? h("p", { class: "hint dev-users" }, t("signin.devUsers")) : null,
    ),
    h("div", { class: "signin-lang" }, languageSelect()),
  );
}

function signedIn(result) {
  session.set({ id_token: result.id_token, refresh_token: result.refresh_token, user: result.user });
  const wanted = parseHash(location.hash);
  const allowed = menuFor(result.user.role).some((p) => p.page === wanted.page);
  if (!allowed) location.hash = homeFor(result.user.role);
  renderShell();
}

function signOut(reason) {
  session.clear();
  shell = null;
  modules.clear();
  if (reason === "expired" || reason === "invalid") signInNotice = t("signin.expired");
  renderSignIn();
}

// --------------------------------------------------------------------------------------- the shell
function languageSelect() {
  const id = ui.nextId("lang");
  const select = h(
    "select",
    { id, name: "lang", class: "lang-select" },
    Object.entries(LANGUAGES).map(([code, name]) => h("option", { value: code, selected: code === lang(), lang: code }, name)),
  );
  select.addEventListener("change", () => setLang(select.value));
  return h("div", { class: "lang" }, h("label", { for: id, class: "sr-only" }, t("shell.language")), select);
}

let shell = null;

function renderShell() {
  const current = session.get();
  if (!current) return renderSignIn();
  const { email, role } = current.user;
  const menuButton = h(
    "button",
    { type: "button", class: "menu-button", "aria-expanded": "false", "aria-controls": "nav" },
    h("span", { class: "menu-icon", "aria-hidden": "true" }),
    t("nav.menu"),
  );
  const nav = h(
    "nav",
    { id: "nav", class: "nav", "aria-label": t("nav.main") },
    h(
      "ul",
      null,
      menuFor(role).map((p) =>
        h("li", null, h("a", { href: "#/" + p.page, dataset: { page: p.page } }, t("nav." + p.page))),
      ),
    ),
    h(
      "div",
      { class: "nav-footer" },
      h("div", { class: "user" }, h("span", { class: "nav-email" }, email), ui.badge(t("role." + role), "role")),
      languageSelect(),
    ),
  );
  menuButton.addEventListener("click", () => {
    const open = menuButton.getAttribute("aria-expanded") !== "true";
    menuButton.setAttribute("aria-expanded", String(open));
    nav.classList.toggle("open", open);
  });
  const skip = h("a", { href: "#main", class: "skip-link" }, t("nav.skip"));
  skip.addEventListener("click", (event) => {
    event.preventDefault();
    main.focus();
  });
  const signOutButton = h("button", { type: "button", class: "ghost" }, t("shell.signOut"));
  signOutButton.addEventListener("click", () => signOut());
  const main = h("main", { id: "main", class: "main", tabindex: "-1" });
  const header = h(
    "header",
    { class: "topbar" },
    menuButton,
    h(
      "a",
      { class: "brand", href: homeFor(role) },
      h("img", { src: base + "/admin/static/img/icon.svg", alt: "", width: "28", height: "28" }),
      h("span", null, "Passaparola"),
      config.local ? ui.badge(t("shell.local"), "warning") : null,
    ),
    h(
      "div",
      { class: "topbar-end" },
      h("div", { class: "wide-only" }, languageSelect()),
      h(
        "div",
        { class: "user wide-only", title: t("shell.signedInAs", { email }) },
        h("span", { class: "user-email" }, email),
        ui.badge(t("role." + role), "role"),
      ),
      signOutButton,
    ),
  );
  clear(root).append(skip, header, h("div", { class: "layout" }, nav, main));
  root.classList.remove("boot");
  root.removeAttribute("aria-busy");
  shell = { nav, main, menuButton, role, email };
  route();
}

async function route() {
  const current = session.get();
  if (!current) return renderSignIn();
  if (!shell) return renderShell();
  const r = parseHash(location.hash);
  if (!r.page) {
    location.replace(homeFor(shell.role));
    return;
  }
  const token = ++renderToken;
  for (const link of shell.nav.querySelectorAll("a")) {
    if (link.dataset.page === r.page) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  shell.nav.classList.remove("open");
  shell.menuButton.setAttribute("aria-expanded", "false");
  const main = shell.main;
  clear(main).append(ui.spinner(t("common.loading")));
  const entry = PAGES.find((p) => p.page === r.page);
  if (!entry || (entry.local && !config.local)) return showError(main, t("error.notFound"));
  if (!entry.roles.includes(shell.role)) return showError(main, t("error.forbidden", { role: t("role." + shell.role) }));
  let page;
  try {
    page = await loadModule(moduleName(r));
  } catch (e) {
    if (token === renderToken) showError(main, t("error.missingPage"));
    return;
  }
  if (token !== renderToken) return;
  if (page.roles && !page.roles.includes(shell.role)) {
    return showError(main, t("error.forbidden", { role: t("role." + shell.role) }));
  }
  const pageT = makeT(page.strings || {}, t);
  document.title = pageT(page.title || "nav." + r.page) + " · Passaparola";
  const container = h("div", { class: "page page-" + r.page });
  clear(main).append(container);
  const ctx = {
    api,
    t: pageT,
    fmt,
    ui,
    role: shell.role,
    email: shell.email,
    path: r.path,
    query: r.query,
    navigate: (hash) => {
      location.hash = hash;
    },
    config,
    lang: lang(),
    /** True while this page is still the one shown (a late response must not draw over the next page). */
    isCurrent: () => token === renderToken,
  };
  try {
    await page.render(container, ctx);
  } catch (error) {
    if (token !== renderToken) return;
    console.error(error);
    showError(main, describe(error), () => route());
  }
  const focused = document.activeElement;
  if (token === renderToken && routeChanged && (!focused || focused === document.body || shell.nav.contains(focused))) {
    const heading = main.querySelector("h1");
    if (heading && !heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
    (heading || main).focus({ preventScroll: true });
  }
}

let routeChanged = false;

function describe(error) {
  if (error instanceof ApiError) {
    if (error.status === 0) return t("error.network");
    if (error.status === 403) return t("error.forbidden", { role: t("role." + shell.role) });
    if (error.status === 404) return error.message || t("error.notFound");
    return error.message;
  }
  return (error && error.message) || String(error);
}

function showError(main, message, retry) {
  clear(main).append(
    h(
      "div",
      { class: "error-panel", role: "alert" },
      h("h1", { tabindex: "-1" }, t("error.title")),
      h("p", null, message),
      h(
        "div",
        { class: "actions" },
        retry ? h("button", { type: "button", class: "primary", onclick: retry }, t("error.retry")) : null,
        h("a", { href: homeFor(shell.role), class: "button secondary" }, t("error.home")),
      ),
    ),
  );
}

async function loadConfig() {
  try {
    const response = await fetch(base + "/admin/config.json", { cache: "no-store" });
    if (response.ok) config = await response.json();
  } catch (e) {
    // defaults: not local
  }
}

whenSignedOut((reason) => signOut(reason));
window.addEventListener("hashchange", () => {
  routeChanged = true;
  if (shell) route();
});
onLangChange(() => {
  if (session.get()) {
    shell = null;
    renderShell();
  } else renderSignIn();
});

async function start() {
  await loadConfig();
  if (session.get()) renderShell();
  else renderSignIn();
}

start();
