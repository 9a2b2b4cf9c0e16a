/* Shorthands for the referral cases of the conformance suite. */
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"

rf_program *make_program(fixture *fx, const char *name, rf_fraud_action action, int exclude_existing)
{
    rf_program_options o = RF_PROGRAM_OPTIONS_INIT;
    o.name = name;
    o.fraud_action = action;
    o.exclude_existing_clients = exclude_existing;
    rf_program *p = NULL;
    assert_ok(rf_program_create(&p, fx->store, &o));
    return p;
}

rf_referral *refer_lead(fixture *fx, const rf_program *program, const char *referrer_id,
                        rf_payer referee_payer, const char *practitioner_id)
{
    static unsigned counter;
    char name[32];
    snprintf(name, sizeof name, "Lead %u", ++counter);
    rf_party *lead = add_payer_party(fx, RF_PARTY_LEAD, name, referee_payer);
    rf_referral_options o = RF_REFERRAL_OPTIONS_INIT;
    o.program_id = rf_program_id(program);
    o.referee_id = rf_party_id(lead);
    o.referrer_id = referrer_id;
    o.source = RF_SOURCE_MANUAL;
    o.practitioner_id = practitioner_id;
    rf_referral *r = NULL;
    assert_ok(rf_referral_create(&r, fx->store, &o));
    rf_party_free(lead);
    return r;
}

rf_referral *refer_new_lead(fixture *fx, const rf_program *program, const char *referrer_id)
{
    return refer_lead(fx, program, referrer_id, RF_PAYER_UNSET, NULL);
}

rf_status advance_with(fixture *fx, rf_referral **r, rf_referral_state to, rf_time appointment_at,
                       const char *idempotency_key)
{
    rf_advance_options o = RF_ADVANCE_OPTIONS_INIT;
    o.reason = "test reason";
    o.appointment_at = appointment_at;
    o.idempotency_key = idempotency_key;
    rf_referral *next = NULL;
    rf_status rc = rf_referral_advance(&next, fx->store, rf_referral_id(*r), to, &o);
    if (rc == RF_OK) {
        rf_referral_free(*r);
        *r = next;
    }
    return rc;
}

rf_status advance_to(fixture *fx, rf_referral **r, rf_referral_state to)
{
    return advance_with(fx, r, to, fx->now + DAY, NULL);
}
