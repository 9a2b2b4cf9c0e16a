/* Task accessors. */
#include "core/outbox_internal.h"

const char *rf_task_id(const rf_task *t)
{
    return t != NULL ? t->r.id : NULL;
}

const char *rf_task_key(const rf_task *t)
{
    return t != NULL ? t->r.task_key : NULL;
}

rf_task_kind rf_task_get_kind(const rf_task *t)
{
    return t != NULL ? (rf_task_kind)t->r.kind : RF_TASK_KIND_UNSET;
}

rf_task_state rf_task_get_state(const rf_task *t)
{
    return t != NULL ? (rf_task_state)t->r.state : RF_TASK_STATE_UNSET;
}

const char *rf_task_party_id(const rf_task *t)
{
    return t != NULL ? t->r.party_id : NULL;
}

const char *rf_task_referral_id(const rf_task *t)
{
    return t != NULL ? t->r.referral_id : NULL;
}

const char *rf_task_program_id(const rf_task *t)
{
    return t != NULL ? t->r.program_id : NULL;
}

const char *rf_task_template(const rf_task *t)
{
    return t != NULL ? t->r.template_name : NULL;
}

rf_channel rf_task_channel(const rf_task *t)
{
    return t != NULL ? (rf_channel)t->r.channel : RF_CHANNEL_UNSET;
}

const char *rf_task_data(const rf_task *t)
{
    return t != NULL ? t->r.data : NULL;
}

const char *rf_task_lease_token(const rf_task *t)
{
    return t != NULL ? t->r.lease_owner : NULL;
}

const char *rf_task_last_error(const rf_task *t)
{
    return t != NULL ? t->r.last_error : NULL;
}

int rf_task_attempts(const rf_task *t)
{
    return t != NULL ? t->r.attempts : 0;
}

rf_ask_outcome rf_task_outcome(const rf_task *t)
{
    return t != NULL ? (rf_ask_outcome)t->r.outcome : RF_ASK_OUTCOME_UNSET;
}

rf_time rf_task_due_at(const rf_task *t)
{
    return t != NULL ? t->r.due_at : RF_TIME_NONE;
}

rf_time rf_task_deadline_at(const rf_task *t)
{
    return t != NULL ? t->r.deadline_at : RF_TIME_NONE;
}

rf_time rf_task_lease_until(const rf_task *t)
{
    return t != NULL ? t->r.lease_until : RF_TIME_NONE;
}

rf_time rf_task_sent_at(const rf_task *t)
{
    return t != NULL ? t->r.sent_at : RF_TIME_NONE;
}

rf_time rf_task_closed_at(const rf_task *t)
{
    return t != NULL ? t->r.closed_at : RF_TIME_NONE;
}

rf_time rf_task_created_at(const rf_task *t)
{
    return t != NULL ? t->r.created_at : RF_TIME_NONE;
}
