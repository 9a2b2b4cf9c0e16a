/**
 * @file
 * @brief libreferral: the whole stable public API.
 *
 * libreferral runs client-referral programmes for appointment-based practices.
 * Include this header and link `referral` (pkg-config `libreferral`, CMake
 * `referral::referral`). Backend authors also include referral/sys/backend.h.
 */
#ifndef REFERRAL_H
#define REFERRAL_H

#include "referral/common.h"
#include "referral/errors.h"
#include "referral/version.h"
#include "referral/store.h"
#include "referral/party.h"
#include "referral/code.h"
#include "referral/journal.h"
#include "referral/program.h"
#include "referral/referrals.h"
#include "referral/rewards.h"
#include "referral/events.h"
#include "referral/outbox.h"
#include "referral/templates.h"
#include "referral/kpis.h"

#endif /* REFERRAL_H */
