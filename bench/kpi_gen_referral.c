/*
 * kpi_gen_referral.c: referral journeys start. Arrivals are spread over the
 * two years (growing, quieter at weekends, in December and August, mostly
 * in the daytime); each is planned at once (who refers, by which evidence,
 * which channel, how urgent, which documents) and then played step by step:
 * a touch journey's clicks first, then the lead and the referral.
 */
#include "kpi_gen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Documents a referral needs, and those that came with it: a prefix of the list. */
static const char *const doc_lists[] = {NULL,          "letter", "letter,imaging", "letter,imaging,bloods",
                                        "intake_form", "summary"};
static const char *const doc_labels[][3] = {
    {NULL}, {"letter"}, {"letter", "imaging"}, {"letter", "imaging", "bloods"}, {"intake_form"}, {"summary"}};
static const int doc_counts[] = {0, 1, 2, 3, 1, 1};

int kpi_doc_count(int docs)
{
    return doc_counts[docs];
}

const char *kpi_doc_label(int docs, int i)
{
    return doc_labels[docs][i];
}

static const char *const reasons[] = {"Low back pain",    "Sports injury", "Post-operative rehabilitation",
                                      "Neck pain",        "Knee pain",     "Shoulder pain",
                                      "Falls prevention", "Headaches"};
static const char *const timings[] = {"weekday mornings", "evenings after 5", "Saturdays", "any time"};

/* ---- when journeys start ------------------------------------------------------------------------- */

static double day_weight(int d)
{
    rf_time t = KPI_T0 + (rf_time)d * KPI_DAY;
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    int wd = kpi_weekday(t);
    double w = 0.7 + 0.6 * (double)d / KPI_DAYS; /* the programme grows */
    w *= wd == 5 ? 0.45 : wd == 6 ? 0.25 : 1.0;
    w *= tm.tm_mon == 11 ? 0.8 : tm.tm_mon == 0 ? 1.1 : tm.tm_mon == 7 ? 0.85 : 1.0;
    return w;
}

static int by_time(const void *a, const void *b)
{
    rf_time x = *(const rf_time *)a, y = *(const rf_time *)b;
    return x < y ? -1 : x > y;
}

/* The next day's arrival times, in order: the day's share of the total by its weight. */
static int load_day(kpi_gen *g)
{
    static const double hour_w[24] = {0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 1.2, 2.5, 3.5, 3.8, 3.6,
                                      3.2, 3.4, 3.6, 3.4, 3.0, 2.8, 2.6, 2.2, 1.8, 1.2, 0.7, 0.4};
    long n = g->opts->referrals;
    while (++g->day < KPI_DAYS) {
        long before = (long)((double)n * g->day_cum / g->day_total + 0.5);
        g->day_cum += g->day_weight[g->day];
        long after = g->day + 1 == KPI_DAYS ? n : (long)((double)n * g->day_cum / g->day_total + 0.5);
        g->day_count = after - before;
        if (g->day_count == 0) {
            continue;
        }
        g->day_times = realloc(g->day_times, (size_t)g->day_count * sizeof *g->day_times);
        if (g->day_times == NULL) {
            fprintf(stderr, "kpi_generate: out of memory\n");
            exit(1);
        }
        rf_time start = KPI_T0 + (rf_time)g->day * KPI_DAY;
        for (long i = 0; i < g->day_count; i++) {
            g->day_times[i] = start + kpi_pick(&g->rng, hour_w, 24) * KPI_HOUR + kpi_below(&g->rng, KPI_HOUR);
        }
        qsort(g->day_times, (size_t)g->day_count, sizeof *g->day_times, by_time);
        g->day_pos = 0;
        return 1;
    }
    return 0;
}

static void queue_next_arrival(kpi_gen *g)
{
    if (g->arrivals >= g->opts->referrals || (g->day_pos == g->day_count && !load_day(g))) {
        return;
    }
    kpi_queue_push(&g->queue, g->day_times[g->day_pos++], KPI_EV_ARRIVAL, 0);
}

void kpi_arrivals_init(kpi_gen *g)
{
    g->day_weight = kpi_xcalloc(KPI_DAYS, sizeof *g->day_weight);
    for (int d = 0; d < KPI_DAYS; d++) {
        g->day_weight[d] = day_weight(d);
        g->day_total += g->day_weight[d];
    }
    g->day = -1;
    queue_next_arrival(g);
}

/* ---- who refers ------------------------------------------------------------------------------------ */

void kpi_ring_add(kpi_gen *g, const char *id, const char *code)
{
    kpi_advocate *a = &g->ring[g->ring_next];
    kpi_copy(a->id, sizeof a->id, id);
    kpi_copy(a->code, sizeof a->code, code);
    g->ring_next = (g->ring_next + 1) % KPI_RING;
    g->ring_count += g->ring_count < KPI_RING;
}

/* A joined base client by how much they refer (rejection sampling on the weight, at most 10). */
static int pick_base(kpi_gen *g)
{
    for (int tries = 0; tries < 10000; tries++) {
        int i = (int)kpi_below(&g->rng, g->joined);
        if (kpi_unit(&g->rng) * 10.0 < g->clients[i].weight) {
            return i;
        }
    }
    return (int)kpi_below(&g->rng, g->joined);
}

/* A joined base client holding a code, for clicks that come to nothing; -1 if none is found. */
static int pick_code_holder(kpi_gen *g, int not )
{
    for (int tries = 0; tries < 64; tries++) {
        int i = (int)kpi_below(&g->rng, g->joined);
        if (i != not &&g->clients[i].code[0][0] != '\0') {
            return i;
        }
    }
    return -1;
}

static void plan_outbound(kpi_gen *g, kpi_referral *r)
{
    static const double ch_w[] = {40, 40, 20};
    static const rf_channel ch[] = {RF_CHANNEL_LETTER, RF_CHANNEL_PORTAL, RF_CHANNEL_EMAIL};
    r->outbound = 1;
    r->by = KPI_BY_PRACTICE;
    r->partners_programme = 1;
    if (g->ring_count > 0 && kpi_chance(&g->rng, 0.3)) {
        kpi_copy(r->referee, sizeof r->referee, g->ring[kpi_below(&g->rng, (long)g->ring_count)].id);
    } else {
        kpi_copy(r->referee, sizeof r->referee, g->clients[kpi_below(&g->rng, g->joined)].id);
    }
    kpi_copy(r->referrer, sizeof r->referrer,
             g->partners[kpi_pick(&g->rng, g->partner_weight, g->n_partners)].id);
    r->channel = ch[kpi_pick(&g->rng, ch_w, 3)];
    r->docs = 5;
    r->docs_in = 1;
    r->practitioner = (unsigned char)kpi_staff_pick(g);
    r->urgency = kpi_chance(&g->rng, 0.2) ? RF_URGENCY_URGENT : RF_URGENCY_ROUTINE;
}

static void plan_partner(kpi_gen *g, kpi_referral *r)
{
    static const double ch_w[] = {30, 35, 20, 15};
    static const rf_channel ch[] = {RF_CHANNEL_LETTER, RF_CHANNEL_PORTAL, RF_CHANNEL_EMAIL, RF_CHANNEL_PHONE};
    static const double docs_w[] = {55, 35, 10};
    const kpi_partner *p = &g->partners[kpi_pick(&g->rng, g->partner_weight, g->n_partners)];
    r->by = KPI_BY_PARTNER;
    r->partners_programme = 1;
    kpi_copy(r->referrer, sizeof r->referrer, p->id);
    if (p->code[0] != '\0' && kpi_chance(&g->rng, 0.3)) {
        r->source = RF_SOURCE_CODE; /* the surgery's portal link */
        kpi_copy(r->code, sizeof r->code, p->code);
    } else {
        r->source = RF_SOURCE_PARTNER;
        r->channel = ch[kpi_pick(&g->rng, ch_w, 4)];
    }
    r->urgency = kpi_chance(&g->rng, 0.22) ? RF_URGENCY_URGENT : RF_URGENCY_ROUTINE;
    r->docs = (unsigned char)(1 + kpi_pick(&g->rng, docs_w, 3));
    /* Two letters in three come complete; the others lack the last documents. */
    r->docs_in = (unsigned char)(kpi_chance(&g->rng, 0.68) ? doc_counts[r->docs]
                                                           : kpi_below(&g->rng, doc_counts[r->docs]));
}

static void plan_advocate(kpi_gen *g, kpi_referral *r)
{
    static const double src_w[] = {45, 25, 18, 12};
    static const rf_referral_source src[] = {RF_SOURCE_CODE, RF_SOURCE_TOUCH, RF_SOURCE_INTAKE,
                                             RF_SOURCE_MANUAL};
    static const double touch_w[] = {40, 25, 20, 15};
    static const rf_channel touch_ch[] = {RF_CHANNEL_SOCIAL, RF_CHANNEL_LINK, RF_CHANNEL_EMAIL,
                                          RF_CHANNEL_SMS};
    static const double share_w[] = {35, 25, 20, 20};
    static const rf_channel share_ch[] = {RF_CHANNEL_SMS, RF_CHANNEL_EMAIL, RF_CHANNEL_SOCIAL,
                                          RF_CHANNEL_IN_PERSON};
    kpi_rng *rng = &g->rng;
    /* Converted clients refer too, more as there are more of them. */
    double ring_share = 0.55 * (double)g->ring_count / (0.2 * g->n_clients);
    if (g->ring_count > 0 && kpi_chance(rng, ring_share > 0.55 ? 0.55 : ring_share)) {
        const kpi_advocate *a = &g->ring[kpi_below(rng, (long)g->ring_count)];
        r->by = KPI_BY_ADVOCATE;
        kpi_copy(r->referrer, sizeof r->referrer, a->id);
        kpi_copy(r->code, sizeof r->code, a->code);
        /* The programme's codes carry no channel: the lead says how it reached them. */
        r->channel = share_ch[kpi_pick(rng, share_w, 4)];
    } else {
        const kpi_client *c = &g->clients[r->base = pick_base(g)];
        r->by = KPI_BY_BASE;
        kpi_copy(r->referrer, sizeof r->referrer, c->id);
        kpi_copy(r->code, sizeof r->code,
                 c->code[1][0] != '\0' && kpi_chance(rng, 0.3) ? c->code[1] : c->code[0]);
    }
    r->source = r->code[0] != '\0'     ? src[kpi_pick(rng, src_w, 4)]
                : kpi_chance(rng, 0.6) ? RF_SOURCE_INTAKE
                                       : RF_SOURCE_MANUAL;
    if (r->source == RF_SOURCE_INTAKE) {
        r->channel = kpi_chance(rng, 0.55) ? RF_CHANNEL_IN_PERSON : RF_CHANNEL_PHONE;
    } else if (r->source == RF_SOURCE_MANUAL) {
        r->channel = kpi_chance(rng, 0.6) ? RF_CHANNEL_PHONE : RF_CHANNEL_IN_PERSON;
    } else if (r->source == RF_SOURCE_TOUCH) {
        r->channel = touch_ch[kpi_pick(rng, touch_w, 4)];
        r->touches_left = (unsigned char)(1 + kpi_below(rng, 3));
        int other = kpi_chance(rng, 0.2) ? pick_code_holder(g, r->by == KPI_BY_BASE ? r->base : -1) : -1;
        if (other >= 0) {
            kpi_copy(r->other_code, sizeof r->other_code, g->clients[other].code[0]);
        }
    }
    if (r->source == RF_SOURCE_CODE || r->source == RF_SOURCE_TOUCH) {
        r->variant = (unsigned char)(kpi_chance(rng, 0.5) ? 'A' : 'B');
    }
    if (r->source != RF_SOURCE_CODE && r->source != RF_SOURCE_TOUCH) {
        r->code[0] = '\0';
    }
    r->urgency = kpi_chance(rng, 0.06) ? RF_URGENCY_URGENT : RF_URGENCY_ROUTINE;
    if (kpi_chance(rng, 0.12)) {
        r->docs = 4;
        r->docs_in = (unsigned char)kpi_chance(rng, 0.5);
    }
}

void kpi_arrival(kpi_gen *g)
{
    static const double care_w[] = {70, 20, 10};
    uint32_t slot = kpi_pool_take(&g->referrals);
    kpi_referral *r = kpi_pool_at(&g->referrals, slot);
    kpi_rng *rng = &g->rng;
    r->number = g->arrivals++;
    r->practitioner = 0xff;
    r->create_at = g->now;
    double u = kpi_unit(rng);
    if (u < 0.05) {
        plan_outbound(g, r);
    } else if (u < 0.24) {
        plan_partner(g, r);
    } else {
        plan_advocate(g, r);
    }
    if (!r->outbound) {
        r->care = (unsigned char)(1 + kpi_pick(rng, care_w, 3));
        if (kpi_chance(rng, 0.92)) {
            r->practitioner = (unsigned char)kpi_staff_pick(g);
        }
    }
    /* A click that comes to nothing, now and then: the funnel's clicks outnumber its leads. */
    int stray = kpi_chance(rng, 0.4) ? pick_code_holder(g, -1) : -1;
    if (stray >= 0) {
        char visitor[32];
        snprintf(visitor, sizeof visitor, "s%ld", r->number);
        rf_touch_options t = RF_TOUCH_OPTIONS_INIT;
        t.channel = kpi_chance(rng, 0.6) ? RF_CHANNEL_SOCIAL : RF_CHANNEL_LINK;
        rf_touch *touch = NULL;
        rf_status rc = rf_touch_add(&touch, g->store, g->clients[stray].code[0], visitor, &t);
        if (rc != RF_OK) {
            kpi_die("recording a click", rc);
        }
        rf_touch_free(touch);
        kpi_wrote(g, KPI_CALL_TOUCH);
    }
    if (r->touches_left > 0) {
        /* The visitor clicks now and comes forward hours to days later (before the two years end). */
        rf_time delay = kpi_delay(rng, 20 * KPI_HOUR, 1.0);
        delay = delay > 20 * KPI_DAY ? 20 * KPI_DAY : delay;
        r->create_at = g->now + delay < KPI_END ? g->now + delay : g->now + (KPI_END - g->now) / 2;
        kpi_schedule(g, slot, KPI_OP_TOUCH, 0, g->now);
    } else {
        kpi_schedule(g, slot, KPI_OP_CREATE, 0, g->now);
    }
    queue_next_arrival(g);
}

/* ---- touches --------------------------------------------------------------------------------------- */

void kpi_touch(kpi_gen *g, uint32_t slot)
{
    kpi_referral *r = kpi_pool_at(&g->referrals, slot);
    char visitor[32];
    snprintf(visitor, sizeof visitor, "v%ld", r->number);
    rf_touch_options t = RF_TOUCH_OPTIONS_INIT;
    t.channel = (rf_channel)r->channel;
    /* Someone else's link first, then the referrer's: the last touch earns the referral. */
    const char *code = r->other_code[0] != '\0' ? r->other_code : r->code;
    rf_touch *touch = NULL;
    rf_status rc = rf_touch_add(&touch, g->store, code, visitor, &t);
    if (rc != RF_OK) {
        kpi_die("recording a touch", rc);
    }
    rf_touch_free(touch);
    kpi_wrote(g, KPI_CALL_TOUCH);
    if (r->other_code[0] != '\0') {
        r->other_code[0] = '\0';
    } else {
        r->touches_left--;
    }
    if (r->touches_left > 0) {
        rf_time gap = (rf_time)((double)(r->create_at - g->now) * (0.2 + 0.4 * kpi_unit(&g->rng)));
        kpi_schedule(g, slot, KPI_OP_TOUCH, 0, g->now + gap);
    } else {
        kpi_schedule(g, slot, KPI_OP_CREATE, 0, r->create_at);
    }
}

/* ---- the lead and the referral ------------------------------------------------------------------------ */

static void add_lead(kpi_gen *g, kpi_referral *r)
{
    static const double seg_w[] = {55, 20, 15, 10};
    static const char *const segs[] = {"adult", "sports", "senior", "paediatric"};
    kpi_rng *rng = &g->rng;
    char name[64], ext[32], email[64], phone[32];
    kpi_make_name(name, sizeof name, rng);
    snprintf(ext, sizeof ext, "lead-%ld", r->number);
    snprintf(email, sizeof email, "lead%ld@example.net", r->number);
    snprintf(phone, sizeof phone, "+3538%d%07ld", 6 + (int)((r->number / 10000000) % 3),
             r->number % 10000000);
    rf_party_options p = RF_PARTY_OPTIONS_INIT;
    p.kind = RF_PARTY_LEAD;
    p.display_name = name;
    p.external_id = ext;
    p.email = kpi_chance(rng, 0.75) ? email : NULL;
    p.phone = kpi_chance(rng, 0.55) ? phone : NULL;
    if (r->by == KPI_BY_BASE && g->clients[r->base].has_email && kpi_chance(rng, 0.003)) {
        /* A family sharing one address: the shared-contact guard flags it. */
        snprintf(email, sizeof email, "client%d@example.org", r->base);
        p.email = email;
    }
    p.consent = (kpi_chance(rng, 0.7) ? RF_CONSENT_CONTACT : 0) |
                (kpi_chance(rng, 0.15) ? RF_CONSENT_NAMED : 0) |
                (kpi_chance(rng, 0.3) ? RF_CONSENT_SHARE_CONTACT : 0);
    p.payer = kpi_payer(rng);
    p.segment = segs[kpi_pick(rng, seg_w, 4)];
    p.practitioner_id = r->practitioner != 0xff ? g->staff[r->practitioner] : NULL;
    p.intake = r->by == KPI_BY_PARTNER ? RF_INTAKE_HEALTH_PROFESSIONAL
               : kpi_chance(rng, 0.75) ? RF_INTAKE_FRIEND_OR_FAMILY
                                       : RF_INTAKE_SOCIAL_MEDIA;
    p.preferred_channel = kpi_preferred_channel(rng);
    rf_party *party = NULL;
    rf_status rc = rf_party_add(&party, g->store, &p);
    if (rc != RF_OK) {
        kpi_die("adding a lead", rc);
    }
    kpi_copy(r->referee, sizeof r->referee, rf_party_id(party));
    rf_party_free(party);
    kpi_wrote(g, KPI_CALL_PARTY);
    g->fig->leads++;
}

/* Another referrer names the same lead: the first attribution stands (RF_ECONFLICT). */
static void second_claim(kpi_gen *g, const kpi_referral *r)
{
    int other = (int)kpi_below(&g->rng, g->joined);
    if (strcmp(g->clients[other].id, r->referrer) == 0) {
        return;
    }
    rf_referral_options o = RF_REFERRAL_OPTIONS_INIT;
    o.program_id = g->advocates_id;
    o.referee_id = r->referee;
    o.referrer_id = g->clients[other].id;
    o.source = RF_SOURCE_MANUAL;
    rf_referral *ref = NULL;
    rf_status rc = rf_referral_create(&ref, g->store, &o);
    if (rc != RF_ECONFLICT) {
        kpi_die("a second attribution (expected RF_ECONFLICT)", rc != RF_OK ? rc : RF_EINVALID);
    }
    kpi_wrote(g, KPI_CALL_REFERRAL);
    g->fig->refused++;
}

void kpi_create(kpi_gen *g, uint32_t slot)
{
    kpi_referral *r = kpi_pool_at(&g->referrals, slot);
    kpi_rng *rng = &g->rng;
    if (!r->outbound) {
        add_lead(g, r);
    }
    char visitor[32], variant[2] = {(char)r->variant, '\0'}, received[64] = "";
    snprintf(visitor, sizeof visitor, "v%ld", r->number);
    const char *docs = doc_lists[r->docs];
    for (int i = 0, n = 0; docs != NULL && n < r->docs_in; i++) {
        if (docs[i] == ',' || docs[i] == '\0') {
            n++;
        }
        if (n < r->docs_in) {
            size_t len = strlen(received);
            received[len] = docs[i];
            received[len + 1] = '\0';
        }
    }
    rf_referral_options o = RF_REFERRAL_OPTIONS_INIT;
    o.program_id = r->partners_programme ? g->partners_id : g->advocates_id;
    o.referee_id = r->referee;
    o.direction = r->outbound ? RF_DIRECTION_OUTBOUND : RF_DIRECTION_INBOUND;
    o.target_id = r->outbound ? r->referrer : NULL;
    o.code = r->source == RF_SOURCE_CODE ? r->code : NULL;
    o.visitor_key = r->source == RF_SOURCE_TOUCH ? visitor : NULL;
    o.referrer_id =
        r->source == RF_SOURCE_INTAKE || r->source == RF_SOURCE_MANUAL || r->source == RF_SOURCE_PARTNER
            ? r->referrer
            : NULL;
    o.source = o.referrer_id != NULL ? (rf_referral_source)r->source : RF_SOURCE_UNSET;
    o.channel = r->source == RF_SOURCE_TOUCH ? RF_CHANNEL_UNSET : (rf_channel)r->channel;
    o.reason = reasons[kpi_below(rng, 8)];
    o.care_level = (rf_care_level)r->care;
    o.urgency = (rf_urgency)r->urgency;
    o.preferred_timing = kpi_chance(rng, 0.3) ? timings[kpi_below(rng, 4)] : NULL;
    o.practitioner_id = r->practitioner != 0xff ? g->staff[r->practitioner] : NULL;
    o.variant = r->variant != 0 ? variant : NULL;
    o.documents_required = docs;
    o.documents_received = docs != NULL && received[0] != '\0' ? received : NULL;
    rf_referral *ref = NULL;
    rf_status rc = rf_referral_create(&ref, g->store, &o);
    if (rc != RF_OK) {
        kpi_die("creating a referral", rc);
    }
    kpi_copy(r->id, sizeof r->id, rf_referral_id(ref));
    rf_referral_free(ref);
    kpi_wrote(g, KPI_CALL_REFERRAL);
    r->state = RF_REFERRAL_RECEIVED;
    g->fig->state_count[RF_REFERRAL_RECEIVED]++;
    g->fig->referrals++;
    if (r->outbound) {
        g->fig->outbound++;
    } else {
        g->fig->inbound++;
        if (!r->partners_programme && kpi_chance(rng, 0.003)) {
            second_claim(g, r);
        }
    }
}
