/* The A/B significance test of the VARIANTS table: a two-sided
 * two-proportion z-test with the pooled standard error, the textbook form
 * (e.g. 200 of 1000 against 250 of 1000: z = 2.68, p = 0.0073). */
#include <math.h>

#include "core/kpi_table.h"

int rf__kpi_ztest(double *p_value, int64_t x1, int64_t n1, int64_t x2, int64_t n2)
{
    *p_value = 0.0;
    if (n1 <= 0 || n2 <= 0 || x1 < 0 || x2 < 0 || x1 > n1 || x2 > n2) {
        return 0;
    }
    double p1 = (double)x1 / (double)n1, p2 = (double)x2 / (double)n2;
    double pooled = (double)(x1 + x2) / (double)(n1 + n2);
    double variance = pooled * (1.0 - pooled) * (1.0 / (double)n1 + 1.0 / (double)n2);
    /* All converted or none did: no spread to measure a difference against. */
    if (!(variance > 0.0)) {
        return 0;
    }
    double z = (p1 - p2) / sqrt(variance);
    double p = erfc(fabs(z) / sqrt(2.0));
    *p_value = p < 0.0 ? 0.0 : p > 1.0 ? 1.0 : p;
    return 1;
}
