/* Helpers shared by the touch, attribution and referral-request cases (attribution_support.c). */
#ifndef RF_CONFORMANCE_ATTRIBUTION_SUPPORT_H
#define RF_CONFORMANCE_ATTRIBUTION_SUPPORT_H

#include "harness.h"

/* The newest journal event; free with rf_event_free(). */
rf_event *newest_event(fixture *fx);
rf_event *newest_event_of(fixture *fx, const char *type);
/* @haystack contains (lacks) @needle; fails the case otherwise. */
void assert_has(const char *haystack, const char *needle);
void assert_lacks(const char *haystack, const char *needle);
/* A code for @owner on @channel, in @program_id when given. */
rf_code *code_for(fixture *fx, const rf_party *owner, rf_channel channel, const char *program_id);
/* A touch by @visitor through @code, recorded with the clock set to @at. */
rf_touch *touch_at(fixture *fx, rf_time at, const rf_code *code, const char *visitor);
/* Options for an inbound referral of @referee in @program, with no evidence yet. */
rf_referral_options inbound(const rf_program *program, const rf_party *referee);

#endif
