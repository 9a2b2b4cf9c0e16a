/* Every SQL statement of the SQLite backend, prepared on first use and kept
 * for the life of the handle (rf__sqlite_stmt). */
#include "sqlite_internal.h"

/* Column lists in the order the readers (sqlite_records.c, sqlite_programs.c,
 * sqlite_referrals.c, sqlite_rewards.c, sqlite_ledger.c, sqlite_events.c,
 * sqlite_tasks.c, sqlite_templates.c) expect: the text columns first, so
 * that they can be copied in one pass. A party's preferred channel (contract
 * version 4) comes last, as the column was added last. */
#define PARTY_COLUMNS                                                                                        \
    "id, external_id, display_name, email, phone, email_key, phone_key, segment, practitioner_id, "          \
    "intake_detail, kind, consent, payer, intake, first_visit_at, created_at, updated_at, preferred_channel"
#define PARTY_COLUMNS_P                                                                                      \
    "p.id, p.external_id, p.display_name, p.email, p.phone, p.email_key, p.phone_key, p.segment, "           \
    "p.practitioner_id, p.intake_detail, p.kind, p.consent, p.payer, p.intake, p.first_visit_at, "           \
    "p.created_at, p.updated_at, p.preferred_channel"
#define CODE_COLUMNS                                                                                         \
    "id, key, text, owner_id, program_id, revoke_reason, style, channel, max_uses, uses, created_at, "       \
    "expires_at, revoked_at"
#define EVENT_COLUMNS "type, subject_id, object_id, idempotency_key, data, seq, at"
#define PROGRAM_COLUMNS "id, name, settings, created_at, updated_at"
#define TOUCH_COLUMNS "id, code_id, owner_id, program_id, visitor_key, channel, at"
/* Texts (columns 0-14, parameters ?2-?16), integers (15-26, ?17-?28), the
 * time each state was first reached, in state order (27-41, ?29-?43: the
 * column of slot s is 27 + s), then the appointment and update times (42-44,
 * ?44-?46). sqlite_referrals.c binds and reads in this order. */
#define REFERRAL_COLUMNS                                                                                     \
    "id, program_id, referrer_id, referee_id, target_id, code_id, touch_id, evidence, reason, "              \
    "preferred_timing, practitioner_id, variant, documents_required, documents_received, attribution_key, "  \
    "direction, source, channel, state, held_state, care_level, urgency, fraud_flags, documents_complete, "  \
    "reschedules, no_shows, visits, " REFERRAL_STATE_COLUMNS ", appointment_at, first_appointment_at, "      \
    "updated_at"
#define REFERRAL_STATE_COLUMNS                                                                               \
    "unset_at, received_at, needs_info_at, accepted_at, scheduled_at, no_show_at, appt_cancelled_at, "       \
    "seen_at, closed_at, cancel_requested_at, cancelled_at, declined_at, lost_at, on_hold_at, "              \
    "entered_in_error_at"
/* What a referral update sets besides the indexed columns. */
#define REFERRAL_SET_UNKEYED                                                                                 \
    "code_id = ?7, touch_id = ?8, evidence = ?9, reason = ?10, preferred_timing = ?11, "                     \
    "practitioner_id = ?12, variant = ?13, documents_required = ?14, documents_received = ?15, "             \
    "direction = ?17, source = ?18, channel = ?19, state = ?20, held_state = ?21, care_level = ?22, "        \
    "urgency = ?23, fraud_flags = ?24, documents_complete = ?25, reschedules = ?26, no_shows = ?27, "        \
    "visits = ?28, unset_at = ?29, needs_info_at = ?31, accepted_at = ?32, scheduled_at = ?33, "             \
    "no_show_at = ?34, appt_cancelled_at = ?35, seen_at = ?36, closed_at = ?37, "                            \
    "cancel_requested_at = ?38, cancelled_at = ?39, declined_at = ?40, lost_at = ?41, on_hold_at = ?42, "    \
    "entered_in_error_at = ?43, appointment_at = ?44, first_appointment_at = ?45, updated_at = ?46"
/* The filters of rf_referral_query. A NULL id matches every row; the period
 * is bound as an inclusive pair (rf__sqlite_bind_period). */
#define REFERRAL_FILTERS                                                                                     \
    "(?4 IS NULL OR program_id = ?4) AND (?5 IS NULL OR referrer_id = ?5) AND "                              \
    "(?6 IS NULL OR referee_id = ?6) AND (?7 IS NULL OR target_id = ?7) AND (?8 = 0 OR direction = ?8) "     \
    "AND received_at >= ?9 AND received_at <= ?10"
/* A scan in id order along an index that yields id order: the primary key
 * (@driver "1"), or (practice, referrer_id | referee_id | target_id, id),
 * which find one party's referrals already in id order, so that paging
 * reads only what it returns and no call builds a sorter. */
#define REFERRAL_SCAN(driver)                                                                                \
    "SELECT " REFERRAL_COLUMNS " FROM referrals WHERE practice = ?1 AND " driver                             \
    " AND id > ?2 AND " REFERRAL_FILTERS " ORDER BY id LIMIT ?3"
/* A scan that starts from an index not in id order (the programme's, in
 * received order, narrowed by the period) and sorts what it finds. Left to
 * itself the planner would walk the primary key in id order to save the
 * sort, reading the practice's every referral; the '+' on id keeps the key
 * out of its choice. */
#define REFERRAL_SCAN_SORTED(driver)                                                                         \
    "SELECT " REFERRAL_COLUMNS " FROM referrals WHERE practice = ?1 AND " driver                             \
    " AND +id > ?2 AND " REFERRAL_FILTERS " ORDER BY +id LIMIT ?3"

/* Texts (columns 0-4, parameters ?2-?6), integers (5-15, ?7-?17), times
 * (16-17, ?18-?19); sqlite_rewards.c binds and reads in this order. */
#define RULE_COLUMNS                                                                                         \
    "id, program_id, name, currency, item, recipient, trigger_state, kind, percent, expiry_days, "           \
    "hold_days, cap_count, cap_days, tier, active, amount, created_at, updated_at"
/* Texts (columns 0-7, parameters ?2-?9), integers (8-16, ?10-?18), times
 * (17-22, ?19-?24); sqlite_rewards.c binds and reads in this order. */
#define GRANT_COLUMNS                                                                                        \
    "id, grant_key, rule_id, program_id, referral_id, recipient_id, currency, item, recipient, kind, "       \
    "rule_kind, compliance, percent, tier_count, status, amount, units, issued_at, release_at, "             \
    "released_at, expires_at, closed_at, updated_at"
/* What a grant update sets besides the rule, referral and recipient: the
 * columns that move (status and the times after issue) are among them, as
 * almost every update moves the status; the three whose indexes would be
 * rewritten for nothing are left out (see RF_SQ_GRANT_UPDATE_UNKEYED). The
 * grant key (?3) is never set: it never changes. */
#define GRANT_SET_UNKEYED                                                                                    \
    "program_id = ?5, currency = ?8, item = ?9, recipient = ?10, kind = ?11, rule_kind = ?12, "              \
    "compliance = ?13, percent = ?14, tier_count = ?15, status = ?16, amount = ?17, units = ?18, "           \
    "issued_at = ?19, release_at = ?20, released_at = ?21, expires_at = ?22, closed_at = ?23, "              \
    "updated_at = ?24"
/* The filters of rf_grant_query: ?4-?6 the ids (NULL: any), ?7 the status
 * (0: any), ?8/?9 the release and expiry bounds (NULL: none; an unset time is
 * NULL and never passes a bound), ?10 the issue bound (INT64_MIN: none). */
#define GRANT_FILTERS                                                                                        \
    "(?4 IS NULL OR recipient_id = ?4) AND (?5 IS NULL OR referral_id = ?5) AND "                            \
    "(?6 IS NULL OR rule_id = ?6) AND (?7 = 0 OR status = ?7) AND (?8 IS NULL OR release_at <= ?8) AND "     \
    "(?9 IS NULL OR expires_at <= ?9) AND issued_at >= ?10"
/* Along the primary key or an index that yields id order (see REFERRAL_SCAN). */
#define GRANT_SCAN(driver)                                                                                   \
    "SELECT " GRANT_COLUMNS " FROM reward_grants WHERE practice = ?1 AND " driver                            \
    " AND id > ?2 AND " GRANT_FILTERS " ORDER BY id LIMIT ?3"
/* From the (status, time) index of the due work, then sorted (see REFERRAL_SCAN_SORTED). */
#define GRANT_SCAN_SORTED(driver)                                                                            \
    "SELECT " GRANT_COLUMNS " FROM reward_grants WHERE practice = ?1 AND " driver                            \
    " AND +id > ?2 AND " GRANT_FILTERS " ORDER BY +id LIMIT ?3"
/* Texts (columns 0-5, parameters ?2-?7), then integers (6-11, ?8-?13). */
#define LEDGER_COLUMNS                                                                                       \
    "id, entry_key, grant_id, party_id, currency, reference, type, amount, pending_delta, "                  \
    "available_delta, seq, at"
/* In seq order, along the primary key or an index that ends in seq. */
#define LEDGER_SCAN(driver)                                                                                  \
    "SELECT " LEDGER_COLUMNS " FROM ledger_entries WHERE practice = ?1 AND " driver " AND seq > ?2 "         \
    "AND (?4 IS NULL OR party_id = ?4) AND (?5 IS NULL OR grant_id = ?5) ORDER BY seq LIMIT ?3"

/* Texts (columns 0-4, parameters ?2-?6), integers (5-7, ?7-?9), times
 * (8-9, ?10-?11); sqlite_events.c binds and reads in this order. */
#define CLIENT_EVENT_COLUMNS                                                                                 \
    "id, party_id, practitioner_id, label, currency, type, value, amount, at, recorded_at"
/* The filters of rf_client_event_query: ?4 the client (NULL: any), ?5 the
 * type (0: any), ?6/?7 the period as an inclusive pair (rf__sqlite_bind_period).
 * @at is "at" where the period may drive the scan and "+at" where it must not
 * (the planner would take the time index and sort, for a scan along another). */
#define CLIENT_EVENT_FILTERS(at)                                                                             \
    "(?4 IS NULL OR party_id = ?4) AND (?5 = 0 OR type = ?5) AND " at " >= ?6 AND " at " <= ?7"
#define CLIENT_EVENT_SCAN(driver)                                                                            \
    "SELECT " CLIENT_EVENT_COLUMNS " FROM client_events WHERE practice = ?1 AND " driver                     \
    " AND id > ?2 AND " CLIENT_EVENT_FILTERS("+at") " ORDER BY id LIMIT ?3"

/* Texts (columns 0-8, parameters ?2-?10), integers (9-13, ?11-?15), times
 * (14-20, ?16-?22); sqlite_tasks.c binds and reads in this order. */
#define TASK_COLUMNS                                                                                         \
    "id, task_key, party_id, referral_id, program_id, template_name, data, lease_owner, last_error, kind, "  \
    "state, channel, attempts, outcome, due_at, deadline_at, lease_until, sent_at, closed_at, created_at, "  \
    "updated_at"
/* What a task update sets besides the party and the referral, which never
 * change in practice (see RF_SQ_TASK_UPDATE_UNKEYED). The task key (?3) is
 * never set: it never changes. */
#define TASK_SET_UNKEYED                                                                                     \
    "program_id = ?6, template_name = ?7, data = ?8, lease_owner = ?9, last_error = ?10, kind = ?11, "       \
    "state = ?12, channel = ?13, attempts = ?14, outcome = ?15, due_at = ?16, deadline_at = ?17, "           \
    "lease_until = ?18, sent_at = ?19, closed_at = ?20, created_at = ?21, updated_at = ?22"
/* The filters of rf_task_query: ?4/?5 the party and referral (NULL: any),
 * ?6/?7 the kind and state (0: any), ?8 the due bound (INT64_MAX: none), ?9
 * the time the lease must be free at (NULL: no bound; a free lease, 0, is
 * NULL in the table). */
#define TASK_FILTERS                                                                                         \
    "(?4 IS NULL OR party_id = ?4) AND (?5 IS NULL OR referral_id = ?5) AND (?6 = 0 OR kind = ?6) AND "      \
    "(?7 = 0 OR state = ?7) AND due_at <= ?8 AND (?9 IS NULL OR lease_until IS NULL OR lease_until <= ?9)"
/* Along the primary key or an index that yields id order (see REFERRAL_SCAN). */
#define TASK_SCAN(driver)                                                                                    \
    "SELECT " TASK_COLUMNS " FROM tasks WHERE practice = ?1 AND " driver " AND id > ?2 AND " TASK_FILTERS    \
    " ORDER BY id LIMIT ?3"

/* Texts (columns 0-4, parameters ?2-?6), then channel and the two times
 * (5-7, ?7-?9); sqlite_templates.c binds and reads in this order. */
#define TEMPLATE_COLUMNS "id, program_id, name, subject, body, channel, created_at, updated_at"

/* Scans page by `id > ?`: an absent after_id is bound as '' so one statement
 * serves both cases (ids are never empty). The contact variant is its own
 * statement so each can use its index. */
static const char *const statement_sql[RF_SQ_COUNT] = {
    [RF_SQ_BEGIN] = "BEGIN IMMEDIATE",
    [RF_SQ_COMMIT] = "COMMIT",
    [RF_SQ_ROLLBACK] = "ROLLBACK",
    /* One name for every level: RELEASE and ROLLBACK TO act on the most recent
     * savepoint of that name, which is always the innermost level's (they run
     * only for a level that has opened one, see rf_sqlite.saved). */
    [RF_SQ_SAVEPOINT] = "SAVEPOINT rf_level",
    [RF_SQ_RELEASE] = "RELEASE rf_level",
    [RF_SQ_ROLLBACK_TO] = "ROLLBACK TO rf_level",

    [RF_SQ_PARTY_INSERT] =
        "INSERT INTO parties (practice, " PARTY_COLUMNS ") VALUES "
        "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
    [RF_SQ_PARTY_UPDATE] = "UPDATE parties SET external_id = ?3, display_name = ?4, email = ?5, phone = ?6, "
                           "email_key = ?7, phone_key = ?8, segment = ?9, practitioner_id = ?10, "
                           "intake_detail = ?11, kind = ?12, consent = ?13, payer = ?14, intake = ?15, "
                           "first_visit_at = ?16, created_at = ?17, updated_at = ?18, "
                           "preferred_channel = ?19 WHERE practice = ?1 AND id = ?2",
    /* The unkeyed updates leave external_id, email_key, phone_key (parties)
     * and key, owner_id (codes) out of SET; see rf__sqlite_update_record. '+'
     * keeps the planner on the primary key. */
    [RF_SQ_PARTY_UPDATE_UNKEYED] =
        "UPDATE parties SET display_name = ?4, email = ?5, phone = ?6, segment = ?9, "
        "practitioner_id = ?10, intake_detail = ?11, kind = ?12, consent = ?13, "
        "payer = ?14, intake = ?15, first_visit_at = ?16, created_at = ?17, "
        "updated_at = ?18, preferred_channel = ?19 WHERE practice = ?1 AND id = ?2 AND +external_id IS ?3 "
        "AND +email_key IS ?7 AND +phone_key IS ?8",
    [RF_SQ_PARTY_GET] = "SELECT " PARTY_COLUMNS " FROM parties WHERE practice = ?1 AND id = ?2",
    [RF_SQ_PARTY_GET_EXTERNAL] =
        "SELECT " PARTY_COLUMNS " FROM parties WHERE practice = ?1 AND external_id = ?2",

    [RF_SQ_CODE_INSERT] = "INSERT INTO codes (practice, " CODE_COLUMNS ") VALUES "
                          "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    [RF_SQ_CODE_UPDATE] = "UPDATE codes SET key = ?3, text = ?4, owner_id = ?5, program_id = ?6, "
                          "revoke_reason = ?7, style = ?8, channel = ?9, max_uses = ?10, uses = ?11, "
                          "created_at = ?12, expires_at = ?13, revoked_at = ?14 "
                          "WHERE practice = ?1 AND id = ?2",
    [RF_SQ_CODE_UPDATE_UNKEYED] =
        "UPDATE codes SET text = ?4, program_id = ?6, revoke_reason = ?7, style = ?8, "
        "channel = ?9, max_uses = ?10, uses = ?11, created_at = ?12, expires_at = ?13, "
        "revoked_at = ?14 WHERE practice = ?1 AND id = ?2 AND +key IS ?3 "
        "AND +owner_id IS ?5",
    [RF_SQ_CODE_GET] = "SELECT " CODE_COLUMNS " FROM codes WHERE practice = ?1 AND id = ?2",
    [RF_SQ_CODE_GET_BY_KEY] = "SELECT " CODE_COLUMNS " FROM codes WHERE practice = ?1 AND key = ?2",

    [RF_SQ_JOURNAL_INSERT] = "INSERT INTO journal (practice, seq, type, subject_id, object_id, "
                             "idempotency_key, data, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [RF_SQ_JOURNAL_LAST_SEQ] = "SELECT COALESCE(MAX(seq), 0) FROM journal WHERE practice = ?1",

    [RF_SQ_IDEMPOTENCY_GET] = "SELECT key, operation, result_id, fingerprint, created_at FROM idempotency "
                              "WHERE practice = ?1 AND key = ?2",
    [RF_SQ_IDEMPOTENCY_PUT] = "INSERT INTO idempotency (practice, key, operation, result_id, fingerprint, "
                              "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",

    [RF_SQ_PARTY_SCAN] = "SELECT " PARTY_COLUMNS " FROM parties WHERE practice = ?1 AND id > ?2 "
                         "AND (?3 = 0 OR kind = ?3) ORDER BY id LIMIT ?4",
    /* Left to itself the planner walks the practice's whole primary key to
     * save a sort; the union of the two contact indexes finds the few
     * matching parties directly, and CROSS JOIN keeps it the outer loop. */
    [RF_SQ_PARTY_SCAN_CONTACT] = "SELECT " PARTY_COLUMNS_P " FROM "
                                 "(SELECT id FROM parties WHERE practice = ?1 AND email_key = ?5 "
                                 "UNION SELECT id FROM parties WHERE practice = ?1 AND phone_key = ?5) AS m "
                                 "CROSS JOIN parties AS p ON p.practice = ?1 AND p.id = m.id "
                                 "WHERE m.id > ?2 AND (?3 = 0 OR p.kind = ?3) ORDER BY m.id LIMIT ?4",
    [RF_SQ_CODE_SCAN] = "SELECT " CODE_COLUMNS " FROM codes WHERE practice = ?1 AND id > ?2 "
                        "ORDER BY id LIMIT ?3",
    [RF_SQ_CODE_SCAN_OWNER] = "SELECT " CODE_COLUMNS " FROM codes WHERE practice = ?1 AND owner_id = ?4 "
                              "AND id > ?2 ORDER BY id LIMIT ?3",
    [RF_SQ_JOURNAL_SCAN] = "SELECT " EVENT_COLUMNS " FROM journal WHERE practice = ?1 AND seq > ?2 "
                           "ORDER BY seq LIMIT ?3",

    /* ---- contract version 2 ---- */
    [RF_SQ_PROGRAM_INSERT] = "INSERT INTO programs (practice, " PROGRAM_COLUMNS ") VALUES "
                             "(?1, ?2, ?3, ?4, ?5, ?6)",
    [RF_SQ_PROGRAM_UPDATE] = "UPDATE programs SET name = ?3, settings = ?4, created_at = ?5, updated_at = ?6 "
                             "WHERE practice = ?1 AND id = ?2",
    [RF_SQ_PROGRAM_GET] = "SELECT " PROGRAM_COLUMNS " FROM programs WHERE practice = ?1 AND id = ?2",
    [RF_SQ_PROGRAM_GET_BY_NAME] =
        "SELECT " PROGRAM_COLUMNS " FROM programs WHERE practice = ?1 AND name = ?2",
    [RF_SQ_PROGRAM_SCAN] = "SELECT " PROGRAM_COLUMNS " FROM programs WHERE practice = ?1 AND id > ?2 "
                           "ORDER BY id LIMIT ?3",

    [RF_SQ_TOUCH_INSERT] = "INSERT INTO touches (practice, " TOUCH_COLUMNS ") VALUES "
                           "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [RF_SQ_TOUCH_GET] = "SELECT " TOUCH_COLUMNS " FROM touches WHERE practice = ?1 AND id = ?2",
    [RF_SQ_TOUCH_SCAN] = "SELECT " TOUCH_COLUMNS " FROM touches WHERE practice = ?1 AND id > ?2 "
                         "AND at >= ?4 AND at <= ?5 ORDER BY id LIMIT ?3",
    /* A visitor has few touches: find them by the index and sort them ('+'
     * keeps the planner off the primary key, see REFERRAL_SCAN_SORTED). */
    [RF_SQ_TOUCH_SCAN_VISITOR] =
        "SELECT " TOUCH_COLUMNS " FROM touches WHERE practice = ?1 AND visitor_key = ?6 "
        "AND at >= ?4 AND at <= ?5 AND +id > ?2 ORDER BY +id LIMIT ?3",

    [RF_SQ_REFERRAL_INSERT] =
        "INSERT INTO referrals (practice, " REFERRAL_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
        "?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, "
        "?30, ?31, ?32, ?33, ?34, ?35, ?36, ?37, ?38, ?39, ?40, ?41, ?42, ?43, ?44, ?45, ?46)",
    /* A lifecycle move changes the state, its time and counters, never the
     * indexed columns (programme, parties, attribution key, received time):
     * the unkeyed update leaves them out of SET (see rf__sqlite_update_record). */
    [RF_SQ_REFERRAL_UPDATE] =
        "UPDATE referrals SET program_id = ?3, referrer_id = ?4, referee_id = ?5, "
        "target_id = ?6, attribution_key = ?16, received_at = ?30, " REFERRAL_SET_UNKEYED
        " WHERE practice = ?1 AND id = ?2",
    [RF_SQ_REFERRAL_UPDATE_UNKEYED] =
        "UPDATE referrals SET " REFERRAL_SET_UNKEYED
        " WHERE practice = ?1 AND id = ?2 AND +program_id IS ?3 AND +referrer_id IS ?4 "
        "AND +referee_id IS ?5 AND +target_id IS ?6 AND +attribution_key IS ?16 "
        "AND +received_at = ?30",
    [RF_SQ_REFERRAL_GET] = "SELECT " REFERRAL_COLUMNS " FROM referrals WHERE practice = ?1 AND id = ?2",
    [RF_SQ_REFERRAL_SCAN] = REFERRAL_SCAN("1"),
    [RF_SQ_REFERRAL_SCAN_REFEREE] = REFERRAL_SCAN("referee_id = ?6"),
    [RF_SQ_REFERRAL_SCAN_REFERRER] = REFERRAL_SCAN("referrer_id = ?5"),
    [RF_SQ_REFERRAL_SCAN_TARGET] = REFERRAL_SCAN("target_id = ?7"),
    [RF_SQ_REFERRAL_SCAN_PROGRAM] = REFERRAL_SCAN_SORTED("program_id = ?4"),

    /* ---- contract version 3 ---- */
    [RF_SQ_RULE_INSERT] = "INSERT INTO reward_rules (practice, " RULE_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, "
                          "?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
    [RF_SQ_RULE_UPDATE] = "UPDATE reward_rules SET program_id = ?3, name = ?4, currency = ?5, item = ?6, "
                          "recipient = ?7, trigger_state = ?8, kind = ?9, percent = ?10, expiry_days = ?11, "
                          "hold_days = ?12, cap_count = ?13, cap_days = ?14, tier = ?15, active = ?16, "
                          "amount = ?17, created_at = ?18, updated_at = ?19 WHERE practice = ?1 AND id = ?2",
    [RF_SQ_RULE_GET] = "SELECT " RULE_COLUMNS " FROM reward_rules WHERE practice = ?1 AND id = ?2",
    [RF_SQ_RULE_SCAN] = "SELECT " RULE_COLUMNS " FROM reward_rules WHERE practice = ?1 AND id > ?2 "
                        "ORDER BY id LIMIT ?3",
    [RF_SQ_RULE_SCAN_PROGRAM] = "SELECT " RULE_COLUMNS " FROM reward_rules WHERE practice = ?1 "
                                "AND program_id = ?4 AND id > ?2 ORDER BY id LIMIT ?3",

    [RF_SQ_GRANT_INSERT] =
        "INSERT INTO reward_grants (practice, " GRANT_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
        "?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24)",
    [RF_SQ_GRANT_UPDATE] = "UPDATE reward_grants SET rule_id = ?4, referral_id = ?6, recipient_id = ?7, "
                           "" GRANT_SET_UNKEYED " WHERE practice = ?1 AND id = ?2",
    /* A grant's rule, referral and recipient never change in practice: this
     * update leaves them (and their indexes) alone and matches only a row
     * that holds them already (see rf__sqlite_update_record). */
    [RF_SQ_GRANT_UPDATE_UNKEYED] =
        "UPDATE reward_grants SET " GRANT_SET_UNKEYED " WHERE practice = ?1 AND id = ?2 AND +rule_id IS ?4 "
        "AND +referral_id IS ?6 AND +recipient_id IS ?7",
    [RF_SQ_GRANT_GET] = "SELECT " GRANT_COLUMNS " FROM reward_grants WHERE practice = ?1 AND id = ?2",
    [RF_SQ_GRANT_GET_BY_KEY] =
        "SELECT " GRANT_COLUMNS " FROM reward_grants WHERE practice = ?1 AND grant_key = ?2",
    [RF_SQ_GRANT_SCAN] = GRANT_SCAN("1"),
    [RF_SQ_GRANT_SCAN_RECIPIENT] = GRANT_SCAN("recipient_id = ?4"),
    [RF_SQ_GRANT_SCAN_REFERRAL] = GRANT_SCAN("referral_id = ?5"),
    [RF_SQ_GRANT_SCAN_RULE] = GRANT_SCAN("rule_id = ?6"),
    [RF_SQ_GRANT_SCAN_RELEASE] = GRANT_SCAN_SORTED("status = ?7 AND release_at <= ?8"),
    [RF_SQ_GRANT_SCAN_EXPIRY] = GRANT_SCAN_SORTED("status = ?7 AND expires_at <= ?9"),

    [RF_SQ_LEDGER_INSERT] = "INSERT INTO ledger_entries (practice, " LEDGER_COLUMNS ") VALUES (?1, ?2, ?3, "
                            "?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    [RF_SQ_LEDGER_SCAN] = LEDGER_SCAN("1"),
    [RF_SQ_LEDGER_SCAN_PARTY] = LEDGER_SCAN("party_id = ?4"),
    [RF_SQ_LEDGER_SCAN_GRANT] = LEDGER_SCAN("grant_id = ?5"),

    /* ---- contract version 4 ---- */
    [RF_SQ_CLIENT_EVENT_INSERT] = "INSERT INTO client_events (practice, " CLIENT_EVENT_COLUMNS ") VALUES "
                                  "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    [RF_SQ_CLIENT_EVENT_SCAN] = CLIENT_EVENT_SCAN("1"),
    [RF_SQ_CLIENT_EVENT_SCAN_PARTY] = CLIENT_EVENT_SCAN("party_id = ?4"),
    /* A period's events by the time index, then sorted (see REFERRAL_SCAN_SORTED). */
    [RF_SQ_CLIENT_EVENT_SCAN_PERIOD] =
        "SELECT " CLIENT_EVENT_COLUMNS " FROM client_events WHERE practice = ?1 "
        "AND +id > ?2 AND " CLIENT_EVENT_FILTERS("at") " ORDER BY +id LIMIT ?3",

    [RF_SQ_TASK_INSERT] = "INSERT INTO tasks (practice, " TASK_COLUMNS
                          ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
                          "?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)",
    [RF_SQ_TASK_UPDATE] = "UPDATE tasks SET party_id = ?4, referral_id = ?5, " TASK_SET_UNKEYED
                          " WHERE practice = ?1 AND id = ?2",
    /* Every move of a task (a lease, a delivery, a retry) sets its state,
     * times and counters, never its party or referral: this update leaves
     * those (and their indexes) alone and matches only a row that holds them
     * already (see rf__sqlite_update_record). */
    [RF_SQ_TASK_UPDATE_UNKEYED] = "UPDATE tasks SET " TASK_SET_UNKEYED " WHERE practice = ?1 AND id = ?2 "
                                  "AND +party_id IS ?4 AND +referral_id IS ?5",
    [RF_SQ_TASK_GET] = "SELECT " TASK_COLUMNS " FROM tasks WHERE practice = ?1 AND id = ?2",
    [RF_SQ_TASK_GET_BY_KEY] = "SELECT " TASK_COLUMNS " FROM tasks WHERE practice = ?1 AND task_key = ?2",
    [RF_SQ_TASK_SCAN] = TASK_SCAN("1"),
    [RF_SQ_TASK_SCAN_PARTY] = TASK_SCAN("party_id = ?4"),
    [RF_SQ_TASK_SCAN_REFERRAL] = TASK_SCAN("referral_id = ?5"),
    /* The outbox's hot query: a state's tasks due by a time, from the
     * (state, due_at, lease_until) index, then sorted (see REFERRAL_SCAN_SORTED). */
    [RF_SQ_TASK_SCAN_STATE] = "SELECT " TASK_COLUMNS " FROM tasks WHERE practice = ?1 AND state = ?7 "
                              "AND +id > ?2 AND " TASK_FILTERS " ORDER BY +id LIMIT ?3",

    [RF_SQ_TEMPLATE_INSERT] =
        "INSERT INTO templates (practice, " TEMPLATE_COLUMNS ") VALUES (?1, ?2, ?3, ?4, "
        "?5, ?6, ?7, ?8, ?9)",
    [RF_SQ_TEMPLATE_UPDATE] =
        "UPDATE templates SET program_id = ?3, name = ?4, subject = ?5, body = ?6, "
        "channel = ?7, created_at = ?8, updated_at = ?9 WHERE practice = ?1 AND id = ?2",
    /* A programme's templates and the practice-wide ones each have their own
     * partial index; the terms on program_id are what select it. */
    [RF_SQ_TEMPLATE_GET_BY_NAME] = "SELECT " TEMPLATE_COLUMNS " FROM templates WHERE practice = ?1 "
                                   "AND program_id = ?3 AND name = ?2",
    [RF_SQ_TEMPLATE_GET_BY_NAME_PRACTICE] = "SELECT " TEMPLATE_COLUMNS " FROM templates WHERE practice = ?1 "
                                            "AND program_id IS NULL AND name = ?2",
    /* A programme has a few templates: found by name and sorted. */
    [RF_SQ_TEMPLATE_SCAN_PROGRAM] = "SELECT " TEMPLATE_COLUMNS " FROM templates WHERE practice = ?1 "
                                    "AND program_id = ?4 AND +id > ?2 ORDER BY +id LIMIT ?3",
    [RF_SQ_TEMPLATE_SCAN_PRACTICE] = "SELECT " TEMPLATE_COLUMNS " FROM templates WHERE practice = ?1 "
                                     "AND program_id IS NULL AND +id > ?2 ORDER BY +id LIMIT ?3",
};

const char *rf__sqlite_sql(rf_sqlite_stmt_id id)
{
    return statement_sql[id];
}

int rf__sqlite_stmt(rf_sqlite *b, rf_sqlite_stmt_id id, sqlite3_stmt **out)
{
    if (b->stmts[id] == NULL) {
        /* PERSISTENT: these live as long as the handle, so SQLite keeps them
         * out of its short-lived lookaside memory. */
        int rc =
            sqlite3_prepare_v3(b->db, statement_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &b->stmts[id], NULL);
        if (rc != SQLITE_OK) {
            *out = NULL;
            return rf__sqlite_error(b, rc, "preparing a statement");
        }
    }
    *out = b->stmts[id];
    return RF_OK;
}
