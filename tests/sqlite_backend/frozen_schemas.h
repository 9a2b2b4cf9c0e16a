/* Old files for the migration cases: schema versions 1 to 3 as the
 * libreferral that wrote them left them (frozen_schemas.c), with rows. */
#ifndef RF_TEST_SQLITE_BACKEND_FROZEN_SCHEMAS_H
#define RF_TEST_SQLITE_BACKEND_FROZEN_SCHEMAS_H

#include "support.h"

/* A new file at @path at schema @version (1 to 3), exactly as libreferral
 * 0.<version>.0 made it (created_by "libreferral 0.<version>.0"), holding
 * the rows every old file holds (see assert_old_rows_read_back) and then
 * @rows, several INSERTs, written in one transaction. */
void write_old_file(const char *path, int version, const char *rows);
/* Opens the old file of @version at @path, which upgrades it to the
 * contract's version 4 in one go, with its meta rows, still in WAL mode. */
rf_backend *open_upgraded(const char *path, int version);
/* The rows write_old_file() put in every file of @version read back through
 * @b, field for field: parties 0001-p (party("0001-p", "ext-1")) and 0002-p
 * (bare), code 0001-c (code("0001-c", "JANE7K3Q", "0001-p")); from version
 * 2 on also programme prog-1 and idempotency key idem-1 (fingerprint 7),
 * named by journal event 1. */
void assert_old_rows_read_back(rf_backend *b, int version);

#endif
