/* Conformance: what referrers and partners see (the referrer's view, the
 * partner exchange) and the names of the referral enums. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define NO_SUCH_ID "0190a1b2-0000-7000-8000-000000000000"
#define HOUR ((rf_time)3600)

/* One referral of the referrer: how to reach its state, what the referrer is told. */
static const struct view_row {
    int path[5]; /* moves from RECEIVED, 0-terminated */
    const char *name;
    int consent;
    rf_referrer_status status; /* 0: left out of the view */
    const char *label;
} rows[] = {
    {{0}, "Maria Lopez Garcia", RF_CONSENT_NONE, RF_REFERRER_RECEIVED, "M. L. G."},
    {{NEEDS_INFO}, "Zoë Müller", RF_CONSENT_CONTACT, RF_REFERRER_RECEIVED, "Z. M."},
    {{ACCEPTED}, "Sam Okafor", RF_CONSENT_SHARE_CONTACT, RF_REFERRER_RECEIVED, "Sam Okafor"},
    {{ACCEPTED, ON_HOLD}, "Alex Brown", RF_CONSENT_NONE, RF_REFERRER_RECEIVED, "A. B."},
    {{ACCEPTED, SCHEDULED}, "Ben Carter", RF_CONSENT_NONE, RF_REFERRER_BOOKED, "B. C."},
    {{ACCEPTED, SCHEDULED, NO_SHOW}, "Cara Dunn", RF_CONSENT_NONE, RF_REFERRER_BOOKED, "C. D."},
    {{ACCEPTED, SCHEDULED, APPT_CANCELLED}, "Dev Evans", RF_CONSENT_NONE, RF_REFERRER_BOOKED, "D. E."},
    {{ACCEPTED, SCHEDULED, SEEN},
     "Ella Fox",
     RF_CONSENT_CONTACT | RF_CONSENT_NAMED,
     RF_REFERRER_SEEN,
     "E. F."},
    {{ACCEPTED, SCHEDULED, SEEN, CLOSED}, "Finn Gray", RF_CONSENT_NONE, RF_REFERRER_CLOSED, "F. G."},
    {{DECLINED}, "Gia Hale", RF_CONSENT_NONE, RF_REFERRER_NOT_PROCEEDING, "G. H."},
    {{CANCEL_REQUESTED, CANCELLED}, "Hugo Irwin", RF_CONSENT_NONE, RF_REFERRER_NOT_PROCEEDING, "H. I."},
    {{ACCEPTED, LOST}, "Ivy Jones", RF_CONSENT_NONE, RF_REFERRER_NOT_PROCEEDING, "I. J."},
    {{CANCEL_REQUESTED}, "Jack King", RF_CONSENT_NONE, RF_REFERRER_NOT_PROCEEDING, "J. K."},
    {{EIE}, "Kim Lee", RF_CONSENT_SHARE_CONTACT, (rf_referrer_status)0, NULL},
};
#define ROW_COUNT (sizeof rows / sizeof rows[0])

static rf_party *referee_for(fixture *fx, size_t i)
{
    char email[64], phone[32];
    snprintf(email, sizeof email, "referee.%zu@example.org", i);
    snprintf(phone, sizeof phone, "+44 20 7946 01%02zu", i);
    rf_party_options o = RF_PARTY_OPTIONS_INIT;
    o.kind = RF_PARTY_LEAD;
    o.display_name = rows[i].name;
    o.email = email;
    o.phone = phone;
    o.consent = rows[i].consent;
    rf_party *p = NULL;
    assert_ok(rf_party_add(&p, fx->store, &o));
    return p;
}

static rf_referral *refer_manually(fixture *fx, const rf_program *program, const rf_party *referrer,
                                   const rf_party *referee)
{
    rf_referral_options o = RF_REFERRAL_OPTIONS_INIT;
    o.program_id = rf_program_id(program);
    o.referee_id = rf_party_id(referee);
    o.referrer_id = rf_party_id(referrer);
    o.source = RF_SOURCE_MANUAL;
    rf_referral *r = NULL;
    assert_ok(rf_referral_create(&r, fx->store, &o));
    return r;
}

static void assert_no_contact(const char *label, const rf_party *referee)
{
    const char *contact[] = {
        rf_party_email(referee), rf_party_phone(referee), "@", "example.org", "7946", "+44"};
    for (size_t i = 0; i < sizeof contact / sizeof contact[0]; i++) {
        if (contact[i] != NULL && strstr(label, contact[i]) != NULL) {
            print_error("label \"%s\" shows contact detail \"%s\"\n", label, contact[i]);
            fail();
        }
    }
}

static void referrer_view_buckets_and_labels(void **state)
{
    fixture *fx = *state;
    rf_program *program = make_program(fx, "advocates", RF_FRAUD_BLOCK, 1);
    rf_party *ruth = add_party(fx, RF_PARTY_CLIENT, "Ruth Referrer", "ruth@example.org", "+44 20 7946 0999");
    rf_party *bob = add_party(fx, RF_PARTY_CLIENT, "Bob Other", NULL, NULL);
    rf_party *referees[ROW_COUNT];
    char ids[ROW_COUNT][RF_ID_BUFSIZE];
    for (size_t i = 0; i < ROW_COUNT; i++) {
        fx->now = T0 + (rf_time)i * HOUR;
        referees[i] = referee_for(fx, i);
        rf_referral *r = refer_manually(fx, program, ruth, referees[i]);
        for (size_t k = 0; rows[i].path[k] != 0; k++) {
            assert_ok(advance_to(fx, &r, (rf_referral_state)rows[i].path[k]));
        }
        snprintf(ids[i], sizeof ids[i], "%s", rf_referral_id(r));
        rf_referral_free(r);
        if (i == 4) {
            /* Someone else's referral in between: not in Ruth's view. */
            rf_referral *other = refer_new_lead(fx, program, rf_party_id(bob));
            rf_referral_free(other);
        }
    }
    fx->now = T0 + 30 * DAY;
    char *before = snapshot(fx->store);

    rf_referrer_view *view = NULL;
    rf_referrer_entry *e = NULL;
    assert_ok(rf_referrer_view_open(&view, fx->store, rf_party_id(ruth)));
    for (size_t i = 0; i < ROW_COUNT; i++) {
        if (rows[i].status == 0) {
            continue; /* entered in error: left out */
        }
        assert_ok(rf_referrer_view_next(&e, view));
        assert_string_equal(rf_referrer_entry_referral_id(e), ids[i]);
        if (rf_referrer_entry_status(e) != rows[i].status) {
            print_error("%s: status %s, expected %s\n", rows[i].name,
                        rf_referrer_status_name(rf_referrer_entry_status(e)),
                        rf_referrer_status_name(rows[i].status));
        }
        assert_int_equal(rf_referrer_entry_status(e), rows[i].status);
        assert_string_equal(rf_referrer_entry_referee_label(e), rows[i].label);
        assert_no_contact(rf_referrer_entry_referee_label(e), referees[i]);
        assert_int_equal(rf_referrer_entry_received_at(e), T0 + (rf_time)i * HOUR);
        rf_referrer_entry_free(e);
    }
    e = (rf_referrer_entry *)view;
    assert_status(rf_referrer_view_next(&e, view), RF_ITEROVER);
    assert_null(e);
    rf_referrer_view_free(view);

    /* A referrer with no referrals sees nothing. */
    rf_party *quiet = NULL;
    assert_ok(rf_party_get(&quiet, fx->store, rf_party_id(referees[0])));
    assert_ok(rf_referrer_view_open(&view, fx->store, rf_party_id(quiet)));
    assert_status(rf_referrer_view_next(&e, view), RF_ITEROVER);
    assert_null(e);
    rf_referrer_view_free(view);
    rf_party_free(quiet);

    /* Unknown referrer and bad arguments. */
    view = (rf_referrer_view *)ruth;
    assert_status(rf_referrer_view_open(&view, fx->store, NO_SUCH_ID), RF_ENOTFOUND);
    assert_null(view);
    assert_message_has(NO_SUCH_ID);
    assert_status(rf_referrer_view_open(&view, fx->store, NULL), RF_EINVALID);
    assert_status(rf_referrer_view_open(NULL, fx->store, rf_party_id(ruth)), RF_EINVALID);
    rf_referrer_view_free(NULL);
    rf_referrer_entry_free(NULL);
    /* Looking changes nothing. */
    assert_unchanged(fx->store, before);
    free(before);

    for (size_t i = 0; i < ROW_COUNT; i++) {
        rf_party_free(referees[i]);
    }
    rf_party_free(ruth);
    rf_party_free(bob);
    rf_program_free(program);
}

static void referrer_view_pages(void **state)
{
    fixture *fx = *state;
    rf_program *program = make_program(fx, "advocates", RF_FRAUD_BLOCK, 1);
    rf_party *ruth = add_party(fx, RF_PARTY_CLIENT, "Ruth Referrer", NULL, NULL);
    enum { MANY = 150 };
    char(*ids)[RF_ID_BUFSIZE] = calloc(MANY, RF_ID_BUFSIZE);
    assert_non_null(ids);
    for (int i = 0; i < MANY; i++) {
        fx->now = T0 + i;
        rf_referral *r = refer_new_lead(fx, program, rf_party_id(ruth));
        snprintf(ids[i], RF_ID_BUFSIZE, "%s", rf_referral_id(r));
        if (i % 7 == 3) {
            assert_ok(advance_to(fx, &r, RF_REFERRAL_ENTERED_IN_ERROR));
            ids[i][0] = '\0';
        }
        rf_referral_free(r);
    }
    /* Every live referral, in order, across pages however many were left out.
     * Compared first and asserted after freeing, so a failure reports only itself. */
    rf_referrer_view *view = NULL;
    rf_referrer_entry *e = NULL;
    assert_ok(rf_referrer_view_open(&view, fx->store, rf_party_id(ruth)));
    int live = 0, seen = 0, in_order = 1;
    for (int i = 0; i < MANY; i++) {
        live += ids[i][0] != '\0';
    }
    for (int i = 0; i < MANY && in_order; i++) {
        if (ids[i][0] == '\0') {
            continue;
        }
        rf_status rc = rf_referrer_view_next(&e, view);
        if (rc != RF_OK) {
            print_error(
                "the view ended (status %d) after %d of the referrer's %d live referrals, at referral "
                "#%d of %d\n",
                rc, seen, live, i, MANY);
            break;
        }
        in_order = strcmp(rf_referrer_entry_referral_id(e), ids[i]) == 0;
        if (!in_order) {
            print_error("entry %d is referral %s, expected %s\n", seen, rf_referrer_entry_referral_id(e),
                        ids[i]);
        }
        rf_referrer_entry_free(e);
        e = NULL;
        seen += in_order;
    }
    rf_status end = seen == live ? rf_referrer_view_next(&e, view) : RF_ITEROVER;
    rf_referrer_entry_free(e);
    rf_referrer_view_free(view);
    free(ids);
    rf_party_free(ruth);
    rf_program_free(program);
    assert_int_equal(seen, live);
    assert_int_equal(end, RF_ITEROVER);
}

/* --- partner exchange ----------------------------------------------------------------------- */

static void inbound_from(fixture *fx, const rf_program *program, const rf_party *partner, rf_time at,
                         int entered_in_error)
{
    static unsigned counter;
    char name[32];
    snprintf(name, sizeof name, "Patient %u", ++counter);
    fx->now = at;
    rf_party *lead = add_party(fx, RF_PARTY_LEAD, name, NULL, NULL);
    rf_referral_options o = RF_REFERRAL_OPTIONS_INIT;
    o.program_id = rf_program_id(program);
    o.referee_id = rf_party_id(lead);
    o.referrer_id = rf_party_id(partner);
    o.source = RF_SOURCE_PARTNER;
    rf_referral *r = NULL;
    assert_ok(rf_referral_create(&r, fx->store, &o));
    if (entered_in_error) {
        assert_ok(advance_to(fx, &r, RF_REFERRAL_ENTERED_IN_ERROR));
    }
    rf_referral_free(r);
    rf_party_free(lead);
}

static void outbound_to(fixture *fx, const rf_program *program, const rf_party *staff,
                        const rf_party *partner, rf_time at)
{
    static unsigned counter;
    char name[32];
    snprintf(name, sizeof name, "Client %u", ++counter);
    fx->now = at;
    rf_party *client = add_party(fx, RF_PARTY_CLIENT, name, NULL, NULL);
    rf_referral_options o = RF_REFERRAL_OPTIONS_INIT;
    o.program_id = rf_program_id(program);
    o.referee_id = rf_party_id(client);
    o.direction = RF_DIRECTION_OUTBOUND;
    o.target_id = rf_party_id(partner);
    o.referrer_id = rf_party_id(staff);
    rf_referral *r = NULL;
    assert_ok(rf_referral_create(&r, fx->store, &o));
    rf_referral_free(r);
    rf_party_free(client);
}

static void partner_exchange(void **state)
{
    fixture *fx = *state;
    rf_program *program = make_program(fx, "gp-partners", RF_FRAUD_BLOCK, 1);
    rf_party *p1 = add_party(fx, RF_PARTY_PARTNER, "Elm St surgery", NULL, NULL);
    rf_party *p2 = add_party(fx, RF_PARTY_PARTNER, "Oak Rd physio", NULL, NULL);
    rf_party *p3 = add_party(fx, RF_PARTY_PARTNER, "Ash Lane clinic", NULL, NULL);
    rf_party *sam = add_party(fx, RF_PARTY_STAFF, "Dr Sam Staff", NULL, NULL);
    rf_party *cleo = add_party(fx, RF_PARTY_CLIENT, "Cleo Client", NULL, NULL);
    const rf_time from = T0, to = T0 + 30 * DAY;

    inbound_from(fx, program, p1, from, 0); /* the start of the period is in */
    inbound_from(fx, program, p1, T0 + DAY, 0);
    inbound_from(fx, program, p1, T0 + 2 * DAY, 0);
    outbound_to(fx, program, sam, p1, T0 + 3 * DAY);
    outbound_to(fx, program, sam, p1, T0 + 4 * DAY);
    inbound_from(fx, program, p1, T0 + 5 * DAY, 1); /* entered in error */
    outbound_to(fx, program, sam, p2, T0 + 6 * DAY);
    rf_referral *by_client = refer_new_lead(fx, program, rf_party_id(cleo)); /* not a partner */
    rf_referral_free(by_client);
    outbound_to(fx, program, sam, p2, from - 1); /* before the period */
    inbound_from(fx, program, p1, to, 0);        /* the end of the period is out */
    outbound_to(fx, program, sam, p3, to + DAY); /* only outside the period */

    char *before = snapshot(fx->store);
    rf_partner_exchange *x = NULL;
    assert_ok(rf_partner_exchange_compute(&x, fx->store, from, to));
    assert_int_equal(rf_partner_exchange_count(x), 2);
    int p1_first = strcmp(rf_party_id(p1), rf_party_id(p2)) < 0;
    size_t row1 = p1_first ? 0 : 1, row2 = p1_first ? 1 : 0;
    assert_string_equal(rf_partner_exchange_partner_id(x, row1), rf_party_id(p1));
    assert_int_equal(rf_partner_exchange_given(x, row1), 2);
    assert_int_equal(rf_partner_exchange_received(x, row1), 3);
    assert_string_equal(rf_partner_exchange_partner_id(x, row2), rf_party_id(p2));
    assert_int_equal(rf_partner_exchange_given(x, row2), 1);
    assert_int_equal(rf_partner_exchange_received(x, row2), 0);
    assert_true(strcmp(rf_partner_exchange_partner_id(x, 0), rf_partner_exchange_partner_id(x, 1)) < 0);
    /* Out of range rows. */
    assert_null(rf_partner_exchange_partner_id(x, 2));
    assert_int_equal(rf_partner_exchange_given(x, 2), 0);
    assert_int_equal(rf_partner_exchange_received(x, 2), 0);
    rf_partner_exchange_free(x);

    /* The whole history: every partner with a referral, the error still left out. */
    assert_ok(rf_partner_exchange_compute(&x, fx->store, from - DAY, to + 2 * DAY));
    assert_int_equal(rf_partner_exchange_count(x), 3);
    int given = 0, received = 0;
    for (size_t i = 0; i < 3; i++) {
        given += rf_partner_exchange_given(x, i);
        received += rf_partner_exchange_received(x, i);
        assert_string_not_equal(rf_partner_exchange_partner_id(x, i), rf_party_id(cleo));
        if (i > 0) {
            assert_true(
                strcmp(rf_partner_exchange_partner_id(x, i - 1), rf_partner_exchange_partner_id(x, i)) < 0);
        }
    }
    assert_int_equal(given, 5);
    assert_int_equal(received, 4);
    rf_partner_exchange_free(x);

    /* An empty period, and one that ends before it starts. */
    assert_ok(rf_partner_exchange_compute(&x, fx->store, from, from));
    assert_int_equal(rf_partner_exchange_count(x), 0);
    rf_partner_exchange_free(x);
    x = (rf_partner_exchange *)p1;
    assert_status(rf_partner_exchange_compute(&x, fx->store, to, from), RF_EINVALID);
    assert_null(x);
    assert_message_has("before it starts");
    assert_status(rf_partner_exchange_compute(NULL, fx->store, from, to), RF_EINVALID);
    assert_status(rf_partner_exchange_compute(&x, NULL, from, to), RF_EINVALID);
    rf_partner_exchange_free(NULL);
    assert_int_equal(rf_partner_exchange_count(NULL), 0);
    assert_unchanged(fx->store, before);
    free(before);

    rf_party_free(p1);
    rf_party_free(p2);
    rf_party_free(p3);
    rf_party_free(sam);
    rf_party_free(cleo);
    rf_program_free(program);
}

static void enum_names(void **state)
{
    (void)state;
    assert_string_equal(rf_referrer_status_name(RF_REFERRER_RECEIVED), "RECEIVED");
    assert_string_equal(rf_referrer_status_name(RF_REFERRER_BOOKED), "BOOKED");
    assert_string_equal(rf_referrer_status_name(RF_REFERRER_SEEN), "SEEN");
    assert_string_equal(rf_referrer_status_name(RF_REFERRER_CLOSED), "CLOSED");
    assert_string_equal(rf_referrer_status_name(RF_REFERRER_NOT_PROCEEDING), "NOT_PROCEEDING");
    assert_string_equal(rf_referrer_status_name((rf_referrer_status)0), "UNSET");
    assert_string_equal(rf_referrer_status_name((rf_referrer_status)6), "UNSET");
    assert_string_equal(rf_referrer_status_name((rf_referrer_status)-1), "UNSET");

    assert_string_equal(rf_referral_source_name(RF_SOURCE_CODE), "CODE");
    assert_string_equal(rf_referral_source_name(RF_SOURCE_TOUCH), "TOUCH");
    assert_string_equal(rf_referral_source_name(RF_SOURCE_INTAKE), "INTAKE");
    assert_string_equal(rf_referral_source_name(RF_SOURCE_MANUAL), "MANUAL");
    assert_string_equal(rf_referral_source_name(RF_SOURCE_PARTNER), "PARTNER");
    assert_string_equal(rf_referral_source_name(RF_SOURCE_UNSET), "UNSET");
    assert_string_equal(rf_referral_source_name((rf_referral_source)6), "UNSET");
    assert_string_equal(rf_referral_source_name((rf_referral_source)-3), "UNSET");

    assert_string_equal(rf_care_level_name(RF_CARE_CONSULT), "CONSULT");
    assert_string_equal(rf_care_level_name(RF_CARE_CO_MANAGEMENT), "CO_MANAGEMENT");
    assert_string_equal(rf_care_level_name(RF_CARE_TRANSFER), "TRANSFER");
    assert_string_equal(rf_care_level_name(RF_CARE_UNSET), "UNSET");
    assert_string_equal(rf_care_level_name((rf_care_level)4), "UNSET");

    assert_string_equal(rf_urgency_name(RF_URGENCY_ROUTINE), "ROUTINE");
    assert_string_equal(rf_urgency_name(RF_URGENCY_URGENT), "URGENT");
    assert_string_equal(rf_urgency_name(RF_URGENCY_UNSET), "UNSET");
    assert_string_equal(rf_urgency_name((rf_urgency)3), "UNSET");

    assert_string_equal(rf_direction_name(RF_DIRECTION_INBOUND), "INBOUND");
    assert_string_equal(rf_direction_name(RF_DIRECTION_OUTBOUND), "OUTBOUND");
    assert_string_equal(rf_direction_name(RF_DIRECTION_UNSET), "UNSET");
    assert_string_equal(rf_direction_name((rf_direction)3), "UNSET");
}

const struct CMUnitTest view_cases[] = {
    CASE(referrer_view_buckets_and_labels),
    CASE(referrer_view_pages),
    CASE(partner_exchange),
    cmocka_unit_test(enum_names),
};
const size_t view_case_count = sizeof view_cases / sizeof view_cases[0];
