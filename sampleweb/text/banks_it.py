# ruff: noqa: E501
"""Italian phrase banks for the Italian-language news site (all names and places fictional).

They exist for one trap: the monitored organisation's acronym is ORA, and "ora" is an everyday
Italian word ("now", "hour"). An Italian article that says "ora" in lower case, or "Ora" at the
start of a sentence, must not match the case-sensitive ``{ORA}`` query; one that writes the
acronym in capitals must. The sentences therefore use "ora" often and naturally.
"""

from __future__ import annotations

# fmt: off
FIRST_NAMES: tuple[str, ...] = (
    "Giulia", "Marco", "Chiara", "Luca", "Francesca", "Matteo", "Elena", "Davide", "Sara",
    "Niccolò", "Beatrice", "Andrea", "Martina", "Federico", "Ilaria", "Tommaso",
)
# fmt: on
# fmt: off
LAST_NAMES: tuple[str, ...] = (
    "Bellandi", "Ferraresi", "Colombo", "Marchetti", "Santoro", "Galli", "De Luca", "Ricci",
    "Mancuso", "Barbieri", "Fontana", "Zanetti", "Lombardo", "Moretti", "Conti", "Pellegrini",
)
# fmt: on
# fmt: off
CITIES: tuple[str, ...] = (
    "Porto Salvo", "Villanova Marittima", "San Lorenzo al Lago", "Castelmarino", "Rivalta",
    "Borgo Laguna", "Torre del Faro", "Santa Chiara Vecchia",
)
# fmt: on

# fmt: off
SLOTS: dict[str, tuple[str, ...]] = {
    "giorno": (
        "lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica",
    ),
    "mese": (
        "gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto",
        "settembre", "ottobre", "novembre", "dicembre",
    ),
    "ruolo": (
        "assessore alla mobilità", "presidente dell'autorità portuale", "sindaca",
        "portavoce della protezione civile", "direttore del museo civico",
        "consigliere di opposizione", "presidente della pro loco",
    ),
    "opera": (
        "il nuovo molo", "la passerella sul canale", "il parcheggio interrato",
        "la ciclabile del lungolago", "la scuola elementare", "il mercato coperto",
    ),
    "evento": (
        "la regata storica", "la sagra del pesce", "il festival del cinema", "la fiera del libro",
        "il concerto di fine estate",
    ),
}
# fmt: on

TOPICS: dict[str, dict[str, tuple[str, ...]]] = {
    "citta": {
        "titles": (
            "{citta}, via libera al progetto per {opera}",
            "{citta}: il consiglio comunale approva il bilancio",
            "Cantiere per {opera}, lavori in ritardo di sei mesi",
            "{citta}, i residenti chiedono più parcheggi",
            "Nuove regole per il traffico nel centro di {citta}",
        ),
        "sentences": (
            "Il consiglio comunale di {citta} ha approvato {giorno} sera il progetto per {opera}.",
            "Ora la giunta dovrà trovare i fondi per completare i lavori entro la fine dell'anno.",
            "Secondo {persona_a}, {ruolo}, il cantiere potrà ripartire già a {mese}.",
            "I residenti lamentano da mesi i disagi causati dalla chiusura della strada principale.",
            "Per arrivare in centro ora servono quasi quaranta minuti nelle ore di punta.",
            "L'opposizione ha presentato una mozione per chiedere maggiore trasparenza sugli appalti.",
            "La spesa complessiva supera i {num} milioni di euro, finanziati in parte dalla regione.",
            "Il sindaco ha promesso un incontro pubblico con i cittadini entro la fine del mese.",
            "Da ora in poi i permessi per la zona a traffico limitato si potranno chiedere online.",
            "Molti commercianti temono un calo degli incassi durante i lavori.",
            "È ora di dare risposte concrete a chi vive nei quartieri periferici, ha detto {persona_b}.",
            "La decisione definitiva è attesa per la prossima seduta del consiglio.",
            "I tecnici del comune hanno già completato i rilievi sul terreno.",
            "Il progetto prevede anche nuove aree verdi e un percorso pedonale lungo il canale.",
            "Il cantiere resterà aperto dalle sette del mattino alle sei di sera, sabato compreso.",
            "Per i residenti del quartiere è stato predisposto un servizio di bus navetta gratuito.",
            "La prima pietra era stata posata quasi due anni fa, ma i lavori si erano fermati più volte.",
            "Il comitato di quartiere ha chiesto di essere coinvolto nelle scelte sulla viabilità.",
            "Le associazioni di categoria chiedono sgravi fiscali per le attività colpite dai lavori.",
            "Secondo il cronoprogramma, la seconda fase partirà dopo l'estate.",
            "Il bando di gara è stato pubblicato a {mese} e ha attirato sei offerte.",
            "In consiglio la discussione è durata oltre quattro ore, tra interventi e repliche.",
            "Alcuni cittadini hanno depositato un ricorso al tribunale amministrativo regionale.",
            "La regione ha confermato un contributo di {num} milioni per le opere di urbanizzazione.",
            "Il parcheggio provvisorio in piazza resterà gratuito fino alla fine dei lavori.",
            "Il progetto era stato presentato alla cittadinanza in un'assemblea pubblica affollata.",
        ),
    },
    "porto": {
        "titles": (
            "Porto di {citta}, traffico merci in crescita",
            "{citta}, nuove navi da crociera in arrivo",
            "Sciopero al porto di {citta}, banchine ferme per un giorno",
            "Dragaggio del canale, l'autorità portuale rinvia i lavori",
        ),
        "sentences": (
            "Nel porto di {citta} il traffico merci è cresciuto del {num} per cento rispetto allo scorso anno.",
            "Le navi attendono ora anche sei ore prima di poter entrare in banchina.",
            "{persona_a}, {ruolo}, ha spiegato che il dragaggio del canale è indispensabile.",
            "I lavoratori portuali chiedono turni più brevi e un aumento dell'organico.",
            "Ogni ora di attesa in rada costa agli armatori migliaia di euro.",
            "Il nuovo terminal per i traghetti dovrebbe essere pronto entro {mese}.",
            "Le associazioni ambientaliste hanno chiesto uno studio indipendente sull'impatto dei lavori.",
            "Ora l'autorità portuale punta ad attirare anche le grandi navi da crociera.",
            "Gli operatori della logistica chiedono un collegamento ferroviario diretto con le banchine.",
            "Lo sciopero è durato ventiquattro ore e ha bloccato il carico di {num} container.",
            "La capitaneria ha rafforzato i controlli sulle imbarcazioni da diporto.",
            "Secondo {persona_b}, il porto resta il primo datore di lavoro della zona.",
            "Le banchine del molo nord sono state rinforzate con nuove palancole in acciaio.",
            "I rimorchiatori hanno lavorato tutta la notte per assistere una portacontainer in avaria.",
            "Il traffico dei traghetti verso le isole è tornato ai livelli di prima della pandemia.",
            "Gli spedizionieri lamentano tempi troppo lunghi per i controlli doganali.",
            "Il piano regolatore portuale prevede anche una nuova area per la cantieristica.",
            "Una parte dei fondi europei sarà destinata all'elettrificazione delle banchine.",
            "I pescatori temono che l'aumento del traffico riduca le zone di pesca.",
            "L'autorità portuale ha avviato un confronto con i sindacati sui nuovi turni.",
            "Nei primi nove mesi dell'anno sono transitati oltre {num} mila passeggeri.",
            "La stazione marittima sarà ristrutturata entro la prossima stagione estiva.",
        ),
    },
    "cultura": {
        "titles": (
            "{evento} torna a {citta} dopo tre anni",
            "Riapre il museo civico di {citta}",
            "{citta}, successo di pubblico per {evento}",
            "Un'estate di concerti in piazza a {citta}",
        ),
        "sentences": (
            "{evento} ha richiamato migliaia di visitatori nel centro storico di {citta}.",
            "Le sale del museo sono ora aperte anche il lunedì mattina.",
            "{persona_a}, {ruolo}, ha ringraziato i volontari che hanno reso possibile l'evento.",
            "Il programma prevede oltre {num} appuntamenti tra concerti, mostre e incontri.",
            "Per visitare la mostra servirà prenotare l'ora di ingresso sul sito del comune.",
            "I restauri hanno riportato alla luce affreschi nascosti da secoli.",
            "Gli organizzatori stimano un indotto importante per ristoranti e alberghi.",
            "Ora si lavora già all'edizione del prossimo anno, ha detto {persona_b}.",
            "L'ingresso è gratuito per i residenti e per i ragazzi sotto i diciotto anni.",
            "La serata inaugurale si è conclusa con uno spettacolo di fuochi d'artificio sul lago.",
            "Le scuole del territorio parteciperanno con laboratori dedicati ai più piccoli.",
            "Il comune ha stanziato nuovi fondi per la manutenzione del teatro.",
            "La biglietteria resterà aperta fino a mezzanotte nei giorni del festival.",
            "Tra gli ospiti attesi figurano registi, scrittori e musicisti di fama internazionale.",
            "Il restauro della facciata del teatro è stato finanziato anche da una raccolta fondi.",
            "Le visite guidate si svolgono ogni sabato e domenica, su prenotazione.",
            "La mostra raccoglie oltre cento opere provenienti da collezioni private.",
            "Il programma per le scuole comprende laboratori di pittura e di teatro.",
            "Gli albergatori segnalano il tutto esaurito per il fine settimana.",
            "La rassegna si chiuderà con un concerto all'aperto sul lungolago.",
            "Il museo ha registrato un aumento dei visitatori stranieri del {num} per cento.",
            "Un gruppo di volontari si occupa dell'accoglienza e delle visite per i disabili.",
        ),
    },
}

GENERIC: tuple[str, ...] = (
    "La notizia è stata diffusa {giorno} con una nota ufficiale.",
    "Ulteriori dettagli saranno resi noti nelle prossime settimane.",
    "Non tutti sono d'accordo: alcuni cittadini hanno avviato una raccolta di firme.",
    "Una decisione definitiva non è ancora stata presa, hanno precisato dal municipio.",
    "La questione sarà discussa anche in consiglio regionale a {mese}.",
    "Ora resta da capire chi coprirà i costi aggiuntivi.",
    "Il confronto tra le parti proseguirà nei prossimi giorni.",
    "Secondo le stime più recenti, le persone coinvolte sarebbero alcune centinaia.",
    "Il caso era già stato sollevato lo scorso anno da alcuni consiglieri.",
    "Le opposizioni parlano di un'occasione persa per la città.",
    "Dal municipio assicurano che i tempi saranno rispettati.",
    "Sul tema è previsto un nuovo incontro con le associazioni entro {mese}.",
    "Chi volesse maggiori informazioni può rivolgersi allo sportello del cittadino.",
    "Resta da vedere se le promesse saranno mantenute, commentano in molti.",
    "Il documento completo è consultabile sul sito istituzionale.",
    "La vicenda ha suscitato un acceso dibattito anche sui social.",
)

READER: tuple[str, ...] = (
    "Era ora, finalmente qualcosa si muove.",
    "Speriamo che questa volta i lavori finiscano davvero.",
    "Articolo interessante, grazie.",
    "Chi paga alla fine? Sempre i cittadini.",
    "Sono anni che aspettiamo queste risposte.",
)

COOKIE = (
    "Utilizziamo i cookie per migliorare la tua esperienza di navigazione. Puoi modificare le preferenze in qualsiasi momento.",
)
NEWSLETTER = ("Iscriviti alla newsletter: le notizie del giorno ogni mattina alle sette.",)
