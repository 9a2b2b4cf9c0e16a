/**
 * @file referral/store.h
 * @brief The store handle: opening by URI or backend, practice scope,
 *        transactions and the clock.
 *
 * A store handle is scoped to one practice (tenant). Many practices may share
 * one database; a handle never sees another practice's records.
 */
#ifndef REFERRAL_STORE_H
#define REFERRAL_STORE_H

#include "common.h"
#include "errors.h"

#ifdef __cplusplus
extern "C" {
#endif

/** An open store, scoped to one practice. Opaque. */
typedef struct rf_store rf_store;

/** A storage backend (see referral/sys/backend.h). */
typedef struct rf_backend rf_backend;

/** A clock: returns the current time in seconds (UTC). Tests replace the store's clock. */
typedef rf_time (*rf_clock_fn)(void *ctx);

/** Options for rf_store_open() and rf_store_open_backend(). */
typedef struct rf_store_options {
    unsigned int version; /**< the struct version: RF_STORE_OPTIONS_VERSION */
    /** Practice (tenant) id, 1 to ::RF_LABEL_MAX bytes of `[A-Za-z0-9._-]`; NULL means "default". */
    const char *practice;
    /**
     * Calling code (digits only, e.g. "44", "1") assumed for phone numbers
     * written without one; NULL means numbers must carry a `+` or `00` prefix.
     */
    const char *phone_region;
    /** Clock; NULL means the system clock. See rf_store_set_clock(). */
    rf_clock_fn clock;
    void *clock_ctx; /**< passed to @ref clock */
    /**
     * Seed for the store's random numbers (ids, short codes). 0 seeds from the
     * operating system; a fixed seed makes tests reproducible and must never be
     * shared by two handles writing to one database.
     */
    uint64_t seed;
} rf_store_options;

/** The newest version of ::rf_store_options this header describes. */
#define RF_STORE_OPTIONS_VERSION 1
/** Static initialiser of ::rf_store_options: the current version, nothing set. */
#define RF_STORE_OPTIONS_INIT                                                                                \
    {                                                                                                        \
        RF_STORE_OPTIONS_VERSION, NULL, NULL, NULL, NULL, 0                                                  \
    }

/** Initialise @p opts to the defaults of structure version @p version. */
RF_API rf_status rf_store_options_init(rf_store_options *opts, unsigned int version);

/**
 * Open a store by URI.
 *
 * - `sqlite:PATH` (or a bare `PATH`): an SQLite database file, created with the
 *   current schema if it does not exist, opened in WAL mode with a 5 s busy
 *   timeout. A file written by a newer libreferral fails with ::RF_EVERSION.
 * - `memory:`: a fresh in-memory store that lives as long as the handle.
 * - `postgres:CONNINFO`: a PostgreSQL database, CONNINFO being a libpq
 *   connection string (`postgres:host=127.0.0.1 dbname=clinic user=app`); see
 *   rf_backend_postgres_new().
 *
 * @param out   receives the handle; free it with rf_store_free()
 * @param uri   where the records live
 * @param opts  options, or NULL for the defaults
 * @return ::RF_OK, ::RF_EINVALID (malformed URI or options), ::RF_EVERSION,
 *         ::RF_EBACKEND, ::RF_ENOMEM
 */
RF_API rf_status rf_store_open(rf_store **out, const char *uri, const rf_store_options *opts);

/**
 * Open a store over a backend built by hand (a built-in one or a third
 * party's). On success the store owns @p backend and frees it with the store;
 * on failure the caller still owns it.
 *
 * @return ::RF_OK, ::RF_EINVALID (a required member is missing),
 *         ::RF_EVERSION (contract version 0 or unknown), ::RF_ENOMEM
 */
RF_API rf_status rf_store_open_backend(rf_store **out, rf_backend *backend, const rf_store_options *opts);

/** Close the store and free it. Rolls back a transaction left open. Accepts NULL. */
RF_API void rf_store_free(rf_store *store);

/** The practice (tenant) this handle is scoped to. Borrowed from the store. */
RF_API const char *rf_store_practice(const rf_store *store);

/**
 * Begin an explicit transaction so that a batch of calls commits at once.
 * Calls made inside it join it; a failing call undoes only its own writes,
 * except that a storage failure (::RF_EBACKEND, ::RF_ENOMEM) may cost the
 * whole batch: roll back and start it again.
 * Transactions nest: each begin needs its own commit or rollback.
 *
 * @return ::RF_OK, ::RF_EBUSY (another writer holds the database), ::RF_EBACKEND
 */
RF_API rf_status rf_store_begin(rf_store *store);

/** Commit the innermost open transaction. ::RF_ESTATE when none is open. */
RF_API rf_status rf_store_commit(rf_store *store);

/** Roll back the innermost open transaction. ::RF_ESTATE when none is open. */
RF_API rf_status rf_store_rollback(rf_store *store);

/** How many transactions are open on this handle (0 when none). */
RF_API int rf_store_transaction_depth(const rf_store *store);

/**
 * Replace the store's clock; NULL restores the system clock. Every call that
 * records or decides something reads the time from here.
 */
RF_API rf_status rf_store_set_clock(rf_store *store, rf_clock_fn clock, void *ctx);

/** The store's current time. */
RF_API rf_time rf_store_now(rf_store *store);

/**
 * Open built-in backends by hand, e.g. to wrap or instrument them before
 * passing them to rf_store_open_backend(). Free an unused backend with
 * rf_backend_free().
 */
RF_API rf_status rf_backend_memory_new(rf_backend **out);

/**
 * See rf_backend_memory_new(). @p path is the database file; it is created
 * with the current schema if missing.
 * @return ::RF_OK; ::RF_EINVALID (NULL or empty path); ::RF_EVERSION (a newer
 *         schema); ::RF_EBACKEND (not a libreferral database, unreadable,
 *         missing directory: the message names the path); ::RF_ENOMEM
 */
RF_API rf_status rf_backend_sqlite_new(rf_backend **out, const char *path);

/**
 * See rf_backend_memory_new(). @p conninfo is a libpq connection string
 * (`host=db.example port=5432 dbname=clinic user=app`, or a
 * `postgresql://` URI), what rf_store_open() takes after `postgres:`. The
 * schema is created on first use (once, also when several processes open a
 * new database at once) and checked on every open; the tables take the plain
 * names of the SQLite schema in the connection's search_path, so a shared
 * database can give libreferral a schema of its own with
 * `options='-c search_path=referral'`. Every primary and unique key starts with
 * the practice, the distribution column of a sharded (Citus-style) deployment.
 *
 * Transactions run READ COMMITTED. A transaction's first call naming a
 * practice takes an advisory lock on that practice, held until it ends:
 * writers of one practice are serialised, as SQLite serialises writers of a
 * file, while writers of different practices run in parallel. A lock not
 * granted within 5 s (or the lock_timeout the conninfo sets), a deadlock or a
 * serialisation failure is ::RF_EBUSY. One
 * connection per backend; it needs session state (prepared statements), so a
 * pooler in front must run in session mode. Built without PostgreSQL
 * (RF_WITH_POSTGRES off) this returns ::RF_EINVALID saying so.
 *
 * @return ::RF_OK; ::RF_EINVALID (NULL @p conninfo, or no PostgreSQL in this
 *         build); ::RF_EVERSION (a newer schema); ::RF_EBACKEND (cannot
 *         connect: the message carries libpq's reason, never the password;
 *         not a libreferral schema); ::RF_ENOMEM
 */
RF_API rf_status rf_backend_postgres_new(rf_backend **out, const char *conninfo);

/** Free a backend that was never handed to a store. Accepts NULL. */
RF_API void rf_backend_free(rf_backend *backend);

#ifdef __cplusplus
}
#endif

#endif /* REFERRAL_STORE_H */
