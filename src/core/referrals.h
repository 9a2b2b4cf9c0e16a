/* Internal: programmes, touches and referrals shared by the referral modules. */
#ifndef RF_CORE_REFERRALS_H
#define RF_CORE_REFERRALS_H

#include "referral/program.h"
#include "referral/referrals.h"
#include "core/records.h"

/* A programme's settings, parsed from the record's `key=value;...` text. */
typedef struct rf_program_settings {
    int window_days;
    int attribution;
    int exclude_existing_clients;
    int code_style;
    int auto_issue_code;
    int fraud_action;
    int velocity_cap;
    int velocity_window_days;
    int clawback;
    int compliance_mode;
    int ask_enabled;
    int ask_nps_threshold;
    int ask_after_first_visit_days;
    int ask_on_anniversary;
    int ask_on_milestone;
    int ask_on_discharge;
    int ask_on_praise;
    int ask_on_payment;
    int ask_cooldown_days;
    int ask_yearly_cap;
    int new_client_days;
    int sla_urgent_hours;
    int sla_routine_hours;
} rf_program_settings;

struct rf_program {
    rf_program_record r;
    rf_program_settings s;
};

struct rf_touch {
    rf_touch_record r;
};

struct rf_referral {
    rf_referral_record r;
};

/* Load by id as caller-owned handles; RF_ENOTFOUND with a message naming it. */
rf_status rf__program_load(rf_store *store, const char *id, rf_program **out);
rf_status rf__referral_load(rf_store *store, const char *id, rf_referral **out);
rf_referral *rf__referral_from_record(const rf_referral_record *rec);
rf_program *rf__program_from_record(const rf_program_record *rec);

/* The journal's `from=..;to=..` names and the lifecycle table (lifecycle.c). */
int rf__state_valid(int state);

/* Labels in a comma-separated list (documents): validate, and test membership. */
rf_status rf__check_label_list(const char *field, const char *list);
int rf__label_list_has(const char *list, const char *label);

#endif
