/* Programme accessors: the settings as the caller reads them. */
#include "core/referrals.h"

/* --- accessors ------------------------------------------------------------------- */

const char *rf_program_id(const rf_program *p)
{
    return p != NULL ? p->r.id : NULL;
}
const char *rf_program_name(const rf_program *p)
{
    return p != NULL ? p->r.name : NULL;
}
int rf_program_window_days(const rf_program *p)
{
    return p != NULL ? p->s.window_days : 0;
}
rf_attribution_model rf_program_attribution(const rf_program *p)
{
    return p != NULL ? (rf_attribution_model)p->s.attribution : RF_ATTRIBUTION_UNSET;
}
int rf_program_excludes_existing_clients(const rf_program *p)
{
    return p != NULL ? p->s.exclude_existing_clients : 0;
}
rf_code_style rf_program_code_style(const rf_program *p)
{
    return p != NULL ? (rf_code_style)p->s.code_style : RF_CODE_STYLE_UNSET;
}
int rf_program_auto_issues_code(const rf_program *p)
{
    return p != NULL ? p->s.auto_issue_code : 0;
}
rf_fraud_action rf_program_fraud_action(const rf_program *p)
{
    return p != NULL ? (rf_fraud_action)p->s.fraud_action : RF_FRAUD_ACTION_UNSET;
}
int rf_program_velocity_cap(const rf_program *p)
{
    return p != NULL ? p->s.velocity_cap : 0;
}
int rf_program_velocity_window_days(const rf_program *p)
{
    return p != NULL ? p->s.velocity_window_days : 0;
}
int rf_program_claws_back(const rf_program *p)
{
    return p != NULL ? p->s.clawback : 0;
}
int rf_program_compliance_mode(const rf_program *p)
{
    return p != NULL ? p->s.compliance_mode : 0;
}
rf_time rf_program_created_at(const rf_program *p)
{
    return p != NULL ? p->r.created_at : RF_TIME_NONE;
}
rf_time rf_program_updated_at(const rf_program *p)
{
    return p != NULL ? p->r.updated_at : RF_TIME_NONE;
}
int rf_program_ask_enabled(const rf_program *p)
{
    return p != NULL ? p->s.ask_enabled : 0;
}
int rf_program_ask_nps_threshold(const rf_program *p)
{
    return p != NULL ? p->s.ask_nps_threshold : 0;
}
int rf_program_ask_after_first_visit_days(const rf_program *p)
{
    return p != NULL ? p->s.ask_after_first_visit_days : 0;
}
int rf_program_ask_on_anniversary(const rf_program *p)
{
    return p != NULL ? p->s.ask_on_anniversary : 0;
}
int rf_program_ask_on_milestone(const rf_program *p)
{
    return p != NULL ? p->s.ask_on_milestone : 0;
}
int rf_program_ask_on_discharge(const rf_program *p)
{
    return p != NULL ? p->s.ask_on_discharge : 0;
}
int rf_program_ask_on_praise(const rf_program *p)
{
    return p != NULL ? p->s.ask_on_praise : 0;
}
int rf_program_ask_on_payment(const rf_program *p)
{
    return p != NULL ? p->s.ask_on_payment : 0;
}
int rf_program_ask_cooldown_days(const rf_program *p)
{
    return p != NULL ? p->s.ask_cooldown_days : 0;
}
int rf_program_ask_yearly_cap(const rf_program *p)
{
    return p != NULL ? p->s.ask_yearly_cap : 0;
}
int rf_program_new_client_days(const rf_program *p)
{
    return p != NULL ? p->s.new_client_days : 0;
}
int rf_program_sla_urgent_hours(const rf_program *p)
{
    return p != NULL ? p->s.sla_urgent_hours : 0;
}
int rf_program_sla_routine_hours(const rf_program *p)
{
    return p != NULL ? p->s.sla_routine_hours : 0;
}
