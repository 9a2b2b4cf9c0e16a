/* The PostgreSQL database of a run (see concurrency_pg.c). */
#ifndef CONCURRENCY_PG_H
#define CONCURRENCY_PG_H

/* 1 when the test was built with PostgreSQL support (RF_WITH_POSTGRES). */
int conc_pg_available(void);
/* Create (after dropping a leftover) / drop database @dbname; 0 on success. */
int conc_pg_create(const char *conninfo, const char *dbname);
int conc_pg_drop(const char *conninfo, const char *dbname);

#endif
