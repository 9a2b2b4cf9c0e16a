/* Allocation failures on demand for the contract suite's out-of-memory cases (oom_hook.c). */
#ifndef RF_BACKEND_CONTRACT_OOM_HOOK_H
#define RF_BACKEND_CONTRACT_OOM_HOOK_H

/* Whether this run can fail allocations: the hook is built in and in force. A case that needs it
 * skips when it is not. */
int oom_hook_ready(void);

/* Let @n more allocations succeed, then fail every further one; negative: none fails. Reset it
 * to -1 before asserting: cmocka allocates too. */
void oom_fail_after(long n);

/* Blocks allocated and not yet freed, program-wide: a case that frees all it made must see the
 * same count at its end as at its start. */
long oom_live_blocks(void);

#endif
