"""The few texts the product writes itself, in the customer's language: the unsubscribe footer of messages, the
unsubscribe page, the default share texts of referral links and the words for rewards in them.

The shop's own templates are never translated here; these are only what Passaparola adds or falls back to.
A locale is reduced to its language (`fr-FR` → `fr`); a language not in the catalogue gets English.
"""

from typing import Final

DEFAULT: Final = "en"

TEXTS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "decimal_separator": ".",
        "unsubscribe": "Unsubscribe",
        "sms_stop": "Stop",
        "page_title": "Unsubscribed",
        "page_email": "You will receive no more e-mails from us.",
        "page_sms": "You will receive no more text messages from us.",
        "share_subject": "{{ name }} invites you to {{ shop }}",
        "share_body": "Hi! I shop at {{ shop }} and thought you'd like it too. "
        "Use my link and get {{ referee_reward }}: {{ link }}",
        "share_social": "Get {{ referee_reward }} at {{ shop }} with my link: {{ link }}",
        "a_friend": "A friend",
        "our_shop": "our shop",
        "reward_credit": "{amount} store credit",
        "reward_cash": "{amount} in cash",
        "reward_amount_off": "{amount} off",
        "reward_percent_off": "{percent}% off",
        "reward_free_shipping": "free shipping",
        "reward_unit": "{quantity} free {sku}",
        "reward_coupon": "a coupon",
        "reward_discount": "a discount",
        "reward_points": "{points} points",
    },
    "it": {
        "decimal_separator": ",",
        "unsubscribe": "Annulla l'iscrizione",
        "sms_stop": "Disiscriviti",
        "page_title": "Iscrizione annullata",
        "page_email": "Non riceverai più e-mail da noi.",
        "page_sms": "Non riceverai più SMS da noi.",
        "share_subject": "{{ name }} ti invita da {{ shop }}",
        "share_body": "Ciao! Compro da {{ shop }} e ho pensato che potrebbe piacerti. "
        "Usa il mio link e ricevi {{ referee_reward }}: {{ link }}",
        "share_social": "Ricevi {{ referee_reward }} da {{ shop }} con il mio link: {{ link }}",
        "a_friend": "Un amico",
        "our_shop": "il nostro negozio",
        "reward_credit": "{amount} di credito",
        "reward_cash": "{amount} in denaro",
        "reward_amount_off": "{amount} di sconto",
        "reward_percent_off": "{percent}% di sconto",
        "reward_free_shipping": "la spedizione gratuita",
        "reward_unit": "{quantity} {sku} in omaggio",
        "reward_coupon": "un buono sconto",
        "reward_discount": "uno sconto",
        "reward_points": "{points} punti",
    },
    "es": {
        "decimal_separator": ",",
        "unsubscribe": "Darse de baja",
        "sms_stop": "Baja",
        "page_title": "Baja confirmada",
        "page_email": "Ya no recibirás más correos electrónicos nuestros.",
        "page_sms": "Ya no recibirás más SMS nuestros.",
        "share_subject": "{{ name }} te invita a {{ shop }}",
        "share_body": "¡Hola! Compro en {{ shop }} y creo que te gustará. "
        "Usa mi enlace y consigue {{ referee_reward }}: {{ link }}",
        "share_social": "Consigue {{ referee_reward }} en {{ shop }} con mi enlace: {{ link }}",
        "a_friend": "Un amigo",
        "our_shop": "nuestra tienda",
        "reward_credit": "{amount} de saldo",
        "reward_cash": "{amount} en efectivo",
        "reward_amount_off": "{amount} de descuento",
        "reward_percent_off": "un {percent}% de descuento",
        "reward_free_shipping": "envío gratis",
        "reward_unit": "{quantity} {sku} gratis",
        "reward_coupon": "un cupón",
        "reward_discount": "un descuento",
        "reward_points": "{points} puntos",
    },
    "ro": {
        "decimal_separator": ",",
        "unsubscribe": "Dezabonare",
        "sms_stop": "Dezabonare",
        "page_title": "Dezabonare confirmată",
        "page_email": "Nu veți mai primi e-mailuri de la noi.",
        "page_sms": "Nu veți mai primi SMS-uri de la noi.",
        "share_subject": "{{ name }} te invită la {{ shop }}",
        "share_body": "Salut! Cumpăr de la {{ shop }} și cred că o să-ți placă. "
        "Folosește linkul meu și primești {{ referee_reward }}: {{ link }}",
        "share_social": "Primește {{ referee_reward }} la {{ shop }} cu linkul meu: {{ link }}",
        "a_friend": "Un prieten",
        "our_shop": "magazinul nostru",
        "reward_credit": "{amount} credit în magazin",
        "reward_cash": "{amount} în bani",
        "reward_amount_off": "o reducere de {amount}",
        "reward_percent_off": "o reducere de {percent}%",
        "reward_free_shipping": "livrare gratuită",
        "reward_unit": "{quantity} {sku} gratuit",
        "reward_coupon": "un cupon",
        "reward_discount": "o reducere",
        "reward_points": "{points} puncte",
    },
    "fr": {
        "decimal_separator": ",",
        "unsubscribe": "Se désabonner",
        "sms_stop": "STOP",
        "page_title": "Désabonnement confirmé",
        "page_email": "Vous ne recevrez plus d'e-mails de notre part.",
        "page_sms": "Vous ne recevrez plus de SMS de notre part.",
        "share_subject": "{{ name }} t'invite chez {{ shop }}",
        "share_body": "Salut ! J'achète chez {{ shop }} et je pense que ça te plaira. "
        "Utilise mon lien et profite de {{ referee_reward }} : {{ link }}",
        "share_social": "Profite de {{ referee_reward }} chez {{ shop }} avec mon lien : {{ link }}",
        "a_friend": "Un ami",
        "our_shop": "notre boutique",
        "reward_credit": "{amount} d'avoir",
        "reward_cash": "{amount} en espèces",
        "reward_amount_off": "{amount} de réduction",
        "reward_percent_off": "{percent} % de réduction",
        "reward_free_shipping": "la livraison gratuite",
        "reward_unit": "{quantity} {sku} offert(s)",
        "reward_coupon": "un bon de réduction",
        "reward_discount": "une réduction",
        "reward_points": "{points} points",
    },
    "de": {
        "decimal_separator": ",",
        "unsubscribe": "Abmelden",
        "sms_stop": "Abmelden",
        "page_title": "Abgemeldet",
        "page_email": "Sie erhalten keine E-Mails mehr von uns.",
        "page_sms": "Sie erhalten keine SMS mehr von uns.",
        "share_subject": "{{ name }} lädt dich zu {{ shop }} ein",
        "share_body": "Hallo! Ich kaufe bei {{ shop }} ein und dachte, das gefällt dir auch. "
        "Nutze meinen Link und erhalte {{ referee_reward }}: {{ link }}",
        "share_social": "Hol dir {{ referee_reward }} bei {{ shop }} mit meinem Link: {{ link }}",
        "a_friend": "Ein Freund",
        "our_shop": "unserem Shop",
        "reward_credit": "{amount} Guthaben",
        "reward_cash": "{amount} in bar",
        "reward_amount_off": "{amount} Rabatt",
        "reward_percent_off": "{percent} % Rabatt",
        "reward_free_shipping": "kostenlosen Versand",
        "reward_unit": "{quantity} × {sku} gratis",
        "reward_coupon": "einen Gutschein",
        "reward_discount": "einen Rabatt",
        "reward_points": "{points} Punkte",
    },
}

# The shopper's side (GET /v1/program, the panel's launcher, the double opt-in): merged into TEXTS below.
SHOPPER_TEXTS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "launcher": "Rewards",
        "point_one": "1 point",
        "earn_order": "{points} per {amount} spent",
        "earn_event": "{points} for {event}",
        "event_review": "a review",
        "event_nps_answer": "answering our survey",
        "event_social_follow": "following us",
        "event_social_share": "sharing us on social media",
        "event_email_opened": "opening our e-mails",
        "event_email_clicked": "clicking a link in our e-mails",
        "event_site_visit": "visiting our site",
        "event_profile_completed": "completing your profile",
        "event_signup": "joining",
        "event_birthday": "your birthday",
        "event_referral": "referring a friend",
        "expiry_never": "Points never expire.",
        "expiry_fixed": "Points expire {days} days after they are earned.",
        "expiry_inactivity": "Points expire after {days} days without activity.",
        "perk_multiplier": "{multiplier}× points",
        "perk_entry": "Welcome gift: {reward}",
        "confirm_subject": "Please confirm your subscription",
        "confirm_body": "Hello,\n\nplease confirm that you want to receive our news and offers by clicking this link:\n"
        "{link}\n\nIf you did not ask for it, ignore this e-mail.",
        "confirm_sms": "Confirm your subscription: {link}",
        "confirm_title": "Subscription confirmed",
        "confirm_done": "Thank you! Your subscription is confirmed.",
        "confirm_nothing": "There is nothing left to confirm.",
    },
    "it": {
        "launcher": "Premi",
        "point_one": "1 punto",
        "earn_order": "{points} ogni {amount} di spesa",
        "earn_event": "{points} per {event}",
        "event_review": "una recensione",
        "event_nps_answer": "aver risposto al nostro sondaggio",
        "event_social_follow": "averci seguito",
        "event_social_share": "averci condiviso sui social",
        "event_email_opened": "aver aperto le nostre e-mail",
        "event_email_clicked": "aver cliccato un link delle nostre e-mail",
        "event_site_visit": "aver visitato il nostro sito",
        "event_profile_completed": "aver completato il profilo",
        "event_signup": "l'iscrizione",
        "event_birthday": "il tuo compleanno",
        "event_referral": "aver invitato un amico",
        "expiry_never": "I punti non scadono mai.",
        "expiry_fixed": "I punti scadono {days} giorni dopo essere stati guadagnati.",
        "expiry_inactivity": "I punti scadono dopo {days} giorni senza attività.",
        "perk_multiplier": "punti × {multiplier}",
        "perk_entry": "Regalo di benvenuto: {reward}",
        "confirm_subject": "Conferma la tua iscrizione",
        "confirm_body": "Ciao,\n\nconferma che vuoi ricevere le nostre novità e offerte cliccando questo link:\n"
        "{link}\n\nSe non l'hai chiesto tu, ignora questa e-mail.",
        "confirm_sms": "Conferma la tua iscrizione: {link}",
        "confirm_title": "Iscrizione confermata",
        "confirm_done": "Grazie! La tua iscrizione è confermata.",
        "confirm_nothing": "Non c'è più nulla da confermare.",
    },
    "es": {
        "launcher": "Recompensas",
        "point_one": "1 punto",
        "earn_order": "{points} por cada {amount} de compra",
        "earn_event": "{points} por {event}",
        "event_review": "una reseña",
        "event_nps_answer": "responder a nuestra encuesta",
        "event_social_follow": "seguirnos",
        "event_social_share": "compartirnos en redes sociales",
        "event_email_opened": "abrir nuestros correos",
        "event_email_clicked": "hacer clic en nuestros correos",
        "event_site_visit": "visitar nuestra web",
        "event_profile_completed": "completar tu perfil",
        "event_signup": "registrarte",
        "event_birthday": "tu cumpleaños",
        "event_referral": "invitar a un amigo",
        "expiry_never": "Los puntos no caducan nunca.",
        "expiry_fixed": "Los puntos caducan {days} días después de conseguirlos.",
        "expiry_inactivity": "Los puntos caducan tras {days} días sin actividad.",
        "perk_multiplier": "puntos × {multiplier}",
        "perk_entry": "Regalo de bienvenida: {reward}",
        "confirm_subject": "Confirma tu suscripción",
        "confirm_body": "Hola:\n\nconfirma que quieres recibir nuestras novedades y ofertas con este enlace:\n"
        "{link}\n\nSi no lo has pedido, ignora este correo.",
        "confirm_sms": "Confirma tu suscripción: {link}",
        "confirm_title": "Suscripción confirmada",
        "confirm_done": "¡Gracias! Tu suscripción está confirmada.",
        "confirm_nothing": "No queda nada por confirmar.",
    },
    "ro": {
        "launcher": "Recompense",
        "point_one": "1 punct",
        "earn_order": "{points} la fiecare {amount} cheltuiți",
        "earn_event": "{points} pentru {event}",
        "event_review": "o recenzie",
        "event_nps_answer": "răspunsul la sondajul nostru",
        "event_social_follow": "urmărirea noastră",
        "event_social_share": "distribuirea pe rețelele sociale",
        "event_email_opened": "deschiderea e-mailurilor noastre",
        "event_email_clicked": "un clic în e-mailurile noastre",
        "event_site_visit": "vizitarea site-ului nostru",
        "event_profile_completed": "completarea profilului",
        "event_signup": "înscriere",
        "event_birthday": "ziua ta de naștere",
        "event_referral": "invitarea unui prieten",
        "expiry_never": "Punctele nu expiră niciodată.",
        "expiry_fixed": "Punctele expiră la {days} zile după ce au fost câștigate.",
        "expiry_inactivity": "Punctele expiră după {days} zile fără activitate.",
        "perk_multiplier": "puncte × {multiplier}",
        "perk_entry": "Cadou de bun venit: {reward}",
        "confirm_subject": "Confirmă abonarea",
        "confirm_body": "Bună,\n\nconfirmă că vrei să primești noutățile și ofertele noastre făcând clic pe acest link:\n"
        "{link}\n\nDacă nu ai cerut asta, ignoră acest e-mail.",
        "confirm_sms": "Confirmă abonarea: {link}",
        "confirm_title": "Abonare confirmată",
        "confirm_done": "Mulțumim! Abonarea ta este confirmată.",
        "confirm_nothing": "Nu mai este nimic de confirmat.",
    },
    "fr": {
        "launcher": "Récompenses",
        "point_one": "1 point",
        "earn_order": "{points} par tranche de {amount} dépensés",
        "earn_event": "{points} pour {event}",
        "event_review": "un avis",
        "event_nps_answer": "avoir répondu à notre enquête",
        "event_social_follow": "nous suivre",
        "event_social_share": "nous partager sur les réseaux sociaux",
        "event_email_opened": "ouvrir nos e-mails",
        "event_email_clicked": "cliquer dans nos e-mails",
        "event_site_visit": "visiter notre site",
        "event_profile_completed": "compléter votre profil",
        "event_signup": "votre inscription",
        "event_birthday": "votre anniversaire",
        "event_referral": "parrainer un ami",
        "expiry_never": "Les points n'expirent jamais.",
        "expiry_fixed": "Les points expirent {days} jours après avoir été gagnés.",
        "expiry_inactivity": "Les points expirent après {days} jours sans activité.",
        "perk_multiplier": "points × {multiplier}",
        "perk_entry": "Cadeau de bienvenue : {reward}",
        "confirm_subject": "Confirmez votre inscription",
        "confirm_body": "Bonjour,\n\nconfirmez que vous souhaitez recevoir nos nouveautés et offres en cliquant sur ce "
        "lien :\n{link}\n\nSi vous ne l'avez pas demandé, ignorez cet e-mail.",
        "confirm_sms": "Confirmez votre inscription : {link}",
        "confirm_title": "Inscription confirmée",
        "confirm_done": "Merci ! Votre inscription est confirmée.",
        "confirm_nothing": "Il n'y a plus rien à confirmer.",
    },
    "de": {
        "launcher": "Prämien",
        "point_one": "1 Punkt",
        "earn_order": "{points} je {amount} Einkaufswert",
        "earn_event": "{points} für {event}",
        "event_review": "eine Bewertung",
        "event_nps_answer": "die Teilnahme an unserer Umfrage",
        "event_social_follow": "das Folgen in sozialen Netzwerken",
        "event_social_share": "das Teilen in sozialen Netzwerken",
        "event_email_opened": "das Öffnen unserer E-Mails",
        "event_email_clicked": "einen Klick in unseren E-Mails",
        "event_site_visit": "einen Besuch unserer Website",
        "event_profile_completed": "ein vollständiges Profil",
        "event_signup": "die Anmeldung",
        "event_birthday": "deinen Geburtstag",
        "event_referral": "das Werben eines Freundes",
        "expiry_never": "Punkte verfallen nie.",
        "expiry_fixed": "Punkte verfallen {days} Tage nach dem Sammeln.",
        "expiry_inactivity": "Punkte verfallen nach {days} Tagen ohne Aktivität.",
        "perk_multiplier": "Punkte × {multiplier}",
        "perk_entry": "Willkommensgeschenk: {reward}",
        "confirm_subject": "Bitte bestätigen Sie Ihre Anmeldung",
        "confirm_body": "Hallo,\n\nbitte bestätigen Sie mit diesem Link, dass Sie unsere Neuigkeiten und Angebote "
        "erhalten möchten:\n{link}\n\nWenn Sie das nicht angefordert haben, ignorieren Sie diese E-Mail.",
        "confirm_sms": "Anmeldung bestätigen: {link}",
        "confirm_title": "Anmeldung bestätigt",
        "confirm_done": "Danke! Ihre Anmeldung ist bestätigt.",
        "confirm_nothing": "Es gibt nichts mehr zu bestätigen.",
    },
}
for _language, _texts in SHOPPER_TEXTS.items():
    TEXTS[_language].update(_texts)
LANGUAGES: Final = frozenset(TEXTS)


def language(locale: str | None) -> str:
    """The catalogue's language for a locale (`fr-FR`, `fr_CA`, `FR` → `fr`); English when it has none."""
    lang = (locale or "").replace("_", "-").split("-")[0].strip().lower()
    return lang if lang in TEXTS else DEFAULT


def text(key: str, locale: str | None, **values: object) -> str:
    """One text in the locale's language, `{placeholders}` filled."""
    template = TEXTS[language(locale)][key]
    return template.format(**values) if values else template


def accepted_language(header: str | None) -> str | None:
    """The first language of an HTTP Accept-Language header the catalogue has (by quality), else None."""
    ranked: list[tuple[float, str]] = []
    for part in (header or "").split(","):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        lang = tag.strip().split("-")[0].lower()
        if lang in TEXTS and quality > 0:
            ranked.append((quality, lang))
    return max(ranked, key=lambda r: r[0])[1] if ranked else None
