/*
 * kpi_gen_setup.c: the practice: two programmes with their reward rules,
 * practitioners, partners, and the base clients (some from before the two
 * years, the rest joining as they go), with codes for a share of them.
 */
#include "kpi_gen.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- people ----------------------------------------------------------------------------------- */

void kpi_make_name(char *out, size_t size, kpi_rng *r)
{
    static const char *const first[] = {
        "Jane",  "John", "Zoë",   "Amir",  "Li",    "Siobhán", "Kwame", "Ana",   "Lukas", "Priya", "Oscar",
        "Maria", "Tom",  "Aoife", "Yusuf", "Eva",   "Noah",    "Grace", "Ravi",  "Chloé", "Ben",   "Ingrid",
        "Omar",  "Lena", "Sam",   "Nia",   "Jonas", "Hana",    "Leo",   "Freya", "Ali",   "Rosa"};
    static const char *const last[] = {
        "Doe",     "Smith",  "Müller", "Patel", "Nguyen", "O'Brien", "Kowalski", "Silva",
        "Chen",    "Jones",  "García", "Brown", "Mensah", "Novak",   "Khan",     "Dubois",
        "Rossi",   "Murphy", "Larsen", "Ahmed", "Taylor", "Wilson",  "Evans",    "Kaur",
        "Fischer", "Lopez",  "Walsh",  "Sato",  "Costa",  "Hughes",  "Ivanova",  "Berg"};
    uint64_t x = kpi_next(r);
    snprintf(out, size, "%s %s", first[x % 32], last[(x >> 8) % 32]);
}

rf_channel kpi_preferred_channel(kpi_rng *r)
{
    static const double w[] = {40, 35, 10, 5, 10};
    static const rf_channel c[] = {RF_CHANNEL_SMS, RF_CHANNEL_EMAIL, RF_CHANNEL_IN_PERSON, RF_CHANNEL_PHONE,
                                   RF_CHANNEL_UNSET};
    return c[kpi_pick(r, w, 5)];
}

rf_payer kpi_payer(kpi_rng *r)
{
    static const double w[] = {45, 38, 10, 7};
    static const rf_payer p[] = {RF_PAYER_SELF_PAY, RF_PAYER_PRIVATE_INSURANCE, RF_PAYER_FEDERAL,
                                 RF_PAYER_OTHER};
    return p[kpi_pick(r, w, 4)];
}

int kpi_staff_pick(kpi_gen *g)
{
    return kpi_pick(&g->rng, g->staff_load, KPI_STAFF);
}

static void add_party(kpi_gen *g, const rf_party_options *p, char id[RF_ID_BUFSIZE])
{
    rf_party *party = NULL;
    rf_status rc = rf_party_add(&party, g->store, p);
    if (rc != RF_OK) {
        kpi_die("adding a party", rc);
    }
    kpi_copy(id, RF_ID_BUFSIZE, rf_party_id(party));
    rf_party_free(party);
    kpi_wrote(g, KPI_CALL_PARTY);
}

static void issue_code(kpi_gen *g, const char *owner, const char *program_id, rf_code_style style,
                       rf_channel channel, char text[KPI_TEXT])
{
    rf_code_options c = RF_CODE_OPTIONS_INIT;
    c.style = style;
    c.program_id = program_id;
    c.channel = channel;
    rf_code *code = NULL;
    rf_status rc = rf_code_issue(&code, g->store, owner, &c);
    if (rc != RF_OK) {
        kpi_die("issuing a code", rc);
    }
    kpi_copy(text, KPI_TEXT, rf_code_text(code));
    rf_code_free(code);
    kpi_wrote(g, KPI_CALL_CODE);
}

/* ---- programmes and rewards ------------------------------------------------------------------ */

static void add_rule(kpi_gen *g, const char *name, rf_reward_recipient who, rf_referral_state trigger,
                     rf_reward_kind kind, int64_t amount, const char *item, int hold, int expiry, int cap,
                     int tier)
{
    rf_reward_rule_options o = RF_REWARD_RULE_OPTIONS_INIT;
    o.program_id = g->advocates_id;
    o.name = name;
    o.recipient = who;
    o.trigger = trigger;
    o.kind = kind;
    if (amount > 0) {
        o.amount = amount;
        o.currency = KPI_CURRENCY;
    }
    o.item = item;
    o.hold_days = hold;
    o.expiry_days = expiry;
    if (cap > 0) {
        o.cap_count = cap;
        o.cap_days = 365;
    }
    if (tier > 0) {
        o.tier = tier;
    }
    rf_reward_rule *rule = NULL;
    rf_status rc = rf_reward_rule_add(&rule, g->store, &o);
    if (rc != RF_OK) {
        kpi_die("adding a reward rule", rc);
    }
    rf_reward_rule_free(rule);
    kpi_wrote(g, KPI_CALL_SETUP);
}

static void add_program(kpi_gen *g, const rf_program_options *o, char id[RF_ID_BUFSIZE])
{
    rf_program *p = NULL;
    rf_status rc = rf_program_create(&p, g->store, o);
    if (rc != RF_OK) {
        kpi_die("creating a programme", rc);
    }
    kpi_copy(id, RF_ID_BUFSIZE, rf_program_id(p));
    rf_program_free(p);
    kpi_wrote(g, KPI_CALL_SETUP);
}

static void programmes(kpi_gen *g)
{
    /* Clients refer friends for a credit: flagged, not blocked, so a shared
     * family e-mail or a busy referrer shows up in the figures. */
    rf_program_options a = RF_PROGRAM_OPTIONS_INIT;
    a.name = "Client advocates";
    a.code_style = RF_CODE_SHORT;
    a.auto_issue_code = 1; /* a referee who becomes a client gets a code to pass on */
    a.fraud_action = RF_FRAUD_FLAG;
    a.velocity_cap = 30;
    a.velocity_window_days = 30;
    a.clawback = 1;
    a.compliance_mode = 1;
    /* Asks on a top score, a milestone, praise and by date; not on every
     * discharge or payment: a client with a dozen sessions would otherwise
     * trip the cooldown at almost every visit, and each suppressed ask is a
     * task row of its own. */
    a.ask_on_discharge = 0;
    a.ask_on_payment = 0;
    add_program(g, &a, g->advocates_id);

    /* Professional referrers: no rewards (anti-kickback), no asks, the default guards. */
    rf_program_options p = RF_PROGRAM_OPTIONS_INIT;
    p.name = "GP partners";
    p.code_style = RF_CODE_SHORT;
    p.ask_enabled = 0;
    p.sla_urgent_hours = 4;
    p.sla_routine_hours = 48;
    add_program(g, &p, g->partners_id);

    /* A referrer ladder at CLOSED (a credit, a bigger one from the 3rd, a gift
     * from the 5th) and a discount for the friend when booked. No note for
     * staff at every SEEN: a grant, its ledger entries and a notice per seen
     * referral were a sixth of the file. */
    add_rule(g, "Thank-you credit", RF_RECIPIENT_REFERRER, RF_REFERRAL_CLOSED, RF_REWARD_ACCOUNT_CREDIT, 2000,
             NULL, 14, 365, 12, 1);
    add_rule(g, "Loyal advocate credit", RF_RECIPIENT_REFERRER, RF_REFERRAL_CLOSED, RF_REWARD_ACCOUNT_CREDIT,
             3500, NULL, 14, 365, 12, 3);
    add_rule(g, "Advocate gift", RF_RECIPIENT_REFERRER, RF_REFERRAL_CLOSED, RF_REWARD_GIFT, 4000,
             "Massage voucher", 14, 180, 4, 5);
    add_rule(g, "Friend's first session", RF_RECIPIENT_REFEREE, RF_REFERRAL_SCHEDULED,
             RF_REWARD_FIXED_DISCOUNT, 1500, NULL, 0, 90, 0, 0);
}

/* ---- practitioners and partners ---------------------------------------------------------------- */

static void practitioners(kpi_gen *g)
{
    for (int i = 0; i < KPI_STAFF; i++) {
        char name[96], person[64], ext[32], email[64];
        kpi_make_name(person, sizeof person, &g->rng);
        snprintf(name, sizeof name, "%s (physiotherapist)", person);
        snprintf(ext, sizeof ext, "staff-%02d", i);
        snprintf(email, sizeof email, "staff%02d@kpi-clinic.example", i);
        rf_party_options p = RF_PARTY_OPTIONS_INIT;
        p.kind = RF_PARTY_STAFF;
        p.display_name = name;
        p.external_id = ext;
        p.email = email;
        p.consent = RF_CONSENT_CONTACT | RF_CONSENT_NAMED;
        add_party(g, &p, g->staff[i]);
        /* Some practitioners' clients do better and say so: outcomes and NPS follow it. */
        g->staff_quality[i] = 0.9 + 0.2 * kpi_unit(&g->rng);
        g->staff_load[i] = 0.5 + kpi_unit(&g->rng);
    }
}

static void partners(kpi_gen *g)
{
    static const char *const places[] = {"Elm Street", "Harbour", "Riverside", "Main Street", "Park",
                                         "Castle",     "Station", "Mill Lane", "Market",      "Hillview"};
    static const double seg_w[] = {70, 15, 5, 10};
    static const char *const segs[] = {"gp", "consultant", "school", "sports-club"};
    static const double ch_w[] = {60, 20, 20};
    static const rf_channel chans[] = {RF_CHANNEL_EMAIL, RF_CHANNEL_LETTER, RF_CHANNEL_PORTAL};
    for (int i = 0; i < g->n_partners; i++) {
        char name[128], person[64], ext[32], email[64], phone[32];
        kpi_make_name(person, sizeof person, &g->rng);
        snprintf(name, sizeof name, "Dr %s, %s surgery", person, places[kpi_below(&g->rng, 10)]);
        snprintf(ext, sizeof ext, "partner-%d", i);
        snprintf(email, sizeof email, "referrals@surgery%d.example.ie", i);
        snprintf(phone, sizeof phone, "+3531%07d", 2000000 + i);
        rf_party_options p = RF_PARTY_OPTIONS_INIT;
        p.kind = RF_PARTY_PARTNER;
        p.display_name = name;
        p.external_id = ext;
        p.email = email;
        p.phone = phone;
        p.consent = RF_CONSENT_CONTACT | RF_CONSENT_NAMED;
        p.segment = segs[kpi_pick(&g->rng, seg_w, 4)];
        p.preferred_channel = chans[kpi_pick(&g->rng, ch_w, 3)];
        add_party(g, &p, g->partners[i].id);
        /* A few surgeries send most of the letters (Zipf). */
        g->partner_weight[i] = 1.0 / (double)(i + 1);
        if (kpi_chance(&g->rng, 0.35)) {
            issue_code(g, g->partners[i].id, g->partners_id, RF_CODE_SHORT, RF_CHANNEL_PORTAL,
                       g->partners[i].code);
        }
    }
}

/* ---- base clients ----------------------------------------------------------------------------------- */

static rf_channel code_channel(rf_channel preferred)
{
    switch (preferred) {
    case RF_CHANNEL_SMS: return RF_CHANNEL_SMS;
    case RF_CHANNEL_EMAIL: return RF_CHANNEL_EMAIL;
    case RF_CHANNEL_IN_PERSON: return RF_CHANNEL_CARD;
    default: return RF_CHANNEL_LINK;
    }
}

/* Client @i's first visit is @first_visit: add them, give a share codes, start their visits. */
static void join(kpi_gen *g, int i, rf_time first_visit, int early)
{
    static const double seg_w[] = {55, 20, 15, 10};
    static const char *const segs[] = {"adult", "sports", "senior", "paediatric"};
    static const double intake_w[] = {28, 12, 14, 10, 10, 6, 5, 8, 7};
    static const rf_intake intakes[] = {
        RF_INTAKE_SEARCH,  RF_INTAKE_ADVERT,   RF_INTAKE_SOCIAL_MEDIA, RF_INTAKE_WALK_IN,
        RF_INTAKE_INSURER, RF_INTAKE_EMPLOYER, RF_INTAKE_EVENT,        RF_INTAKE_HEALTH_PROFESSIONAL,
        RF_INTAKE_OTHER};
    kpi_client *c = &g->clients[i];
    kpi_rng *r = &g->rng;
    char name[64], ext[32], email[64], phone[32];
    kpi_make_name(name, sizeof name, r);
    snprintf(ext, sizeof ext, "client-%d", i);
    snprintf(email, sizeof email, "client%d@example.org", i);
    snprintf(phone, sizeof phone, "+35387%07d", i);
    c->practitioner = (unsigned char)kpi_staff_pick(g);
    c->has_email = (unsigned char)kpi_chance(r, 0.92);
    rf_party_options p = RF_PARTY_OPTIONS_INIT;
    p.kind = RF_PARTY_CLIENT;
    p.display_name = name;
    p.external_id = ext;
    p.email = c->has_email ? email : NULL;
    p.phone = kpi_chance(r, 0.65) ? phone : NULL;
    p.consent = (kpi_chance(r, 0.88) ? RF_CONSENT_CONTACT : 0) |
                (kpi_chance(r, 0.45) ? RF_CONSENT_NAMED : 0) |
                (kpi_chance(r, 0.25) ? RF_CONSENT_SHARE_CONTACT : 0);
    p.payer = kpi_payer(r);
    p.segment = segs[kpi_pick(r, seg_w, 4)];
    p.practitioner_id = g->staff[c->practitioner];
    p.first_visit_at = first_visit;
    p.intake = intakes[kpi_pick(r, intake_w, 9)];
    p.preferred_channel = kpi_preferred_channel(r);
    add_party(g, &p, c->id);

    /* About four in ten refer at all, a few of them a lot (log-normal, capped). */
    c->weight = kpi_chance(r, 0.4) ? (float)fmin(10.0, kpi_lognormal(r, 1.0, 0.8)) : 0.0f;
    if (kpi_chance(r, c->weight > 0 ? 0.9 : 0.4)) {
        rf_code_style style = kpi_chance(r, 0.55) ? RF_CODE_VANITY : RF_CODE_SHORT;
        issue_code(g, c->id, g->advocates_id, style, code_channel(p.preferred_channel), c->code[0]);
        if (kpi_chance(r, 0.2)) {
            issue_code(g, c->id, g->advocates_id, RF_CODE_SHORT, RF_CHANNEL_SOCIAL, c->code[1]);
        }
    }
    g->joined = i + 1;
    if (!early) {
        kpi_care_start(g, c->id, c->practitioner, 1, g->now); /* the first visit itself */
    } else if (kpi_chance(r, 0.6)) {
        kpi_care_start(g, c->id, c->practitioner, 1, kpi_slot(KPI_T0 + kpi_below(r, 40 * KPI_DAY)));
    } else if (kpi_chance(r, 0.5)) {
        kpi_care_start(g, c->id, c->practitioner, 1, kpi_slot(KPI_T0 + kpi_below(r, KPI_DAYS * KPI_DAY)));
    }
}

static int by_time(const void *a, const void *b)
{
    rf_time x = *(const rf_time *)a, y = *(const rf_time *)b;
    return x < y ? -1 : x > y;
}

void kpi_join_next(kpi_gen *g)
{
    int i = g->joined;
    join(g, i, g->now, 0);
    if (i + 1 < g->n_clients) {
        kpi_queue_push(&g->queue, g->join_at[i + 1 - g->n_early], KPI_EV_JOIN, 0);
    }
}

void kpi_setup(kpi_gen *g)
{
    kpi_rng *r = &g->rng;
    g->n_clients = g->opts->clients;
    g->n_partners = g->n_clients / 50 < 20                 ? 20
                    : g->n_clients / 50 > KPI_PARTNERS_MAX ? KPI_PARTNERS_MAX
                                                           : g->n_clients / 50;
    g->clients = kpi_xcalloc((size_t)g->n_clients, sizeof *g->clients);
    g->partners = kpi_xcalloc((size_t)g->n_partners, sizeof *g->partners);
    g->partner_weight = kpi_xcalloc((size_t)g->n_partners, sizeof *g->partner_weight);
    g->ring = kpi_xcalloc(KPI_RING, sizeof *g->ring);
    g->n_early = (int)(g->n_clients * KPI_EARLY_SHARE);

    programmes(g);
    practitioners(g);
    partners(g);
    for (int i = 0; i < g->n_early; i++) {
        join(g, i, KPI_T0 - KPI_DAY - kpi_below(r, 3 * 365 * KPI_DAY), 1);
    }
    int later = g->n_clients - g->n_early;
    g->join_at = kpi_xcalloc((size_t)later + 1, sizeof *g->join_at);
    for (int i = 0; i < later; i++) {
        g->join_at[i] = kpi_slot(KPI_T0 + kpi_below(r, KPI_DAYS * KPI_DAY));
    }
    qsort(g->join_at, (size_t)later, sizeof *g->join_at, by_time);
    if (later > 0) {
        kpi_queue_push(&g->queue, g->join_at[0], KPI_EV_JOIN, 0);
    }
    g->fig->clients = g->n_clients;
    g->fig->partners = g->n_partners;
    g->fig->staff = KPI_STAFF;
}

void kpi_setup_free(kpi_gen *g)
{
    free(g->clients);
    free(g->partners);
    free(g->partner_weight);
    free(g->ring);
    free(g->join_at);
}
