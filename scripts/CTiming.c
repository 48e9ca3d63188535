/* Batch-1 latency of a generated model: median and p90 of 1000 calls after 200 warm-up calls (scripts/bench-c.sh). */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "model.h"

static int cmp(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return x < y ? -1 : x > y; }

int main(void) {
    static float in[MODEL_INPUT_SIZE], out[MODEL_OUTPUT_SIZE];
    static double ms[1000];
    struct timespec t0, t1;
    int i;
    for (i = 0; i < MODEL_INPUT_SIZE; i++) in[i] = (float)((i * 37) % 101) / 101.0f - 0.5f;
    for (i = 0; i < 200; i++) model_predict(in, out);
    for (i = 0; i < 1000; i++) {
        clock_gettime(CLOCK_MONOTONIC, &t0);
        model_predict(in, out);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        ms[i] = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
    }
    qsort(ms, 1000, sizeof(double), cmp);
    printf("p50_ms %.3f p90_ms %.3f\n", (ms[499] + ms[500]) / 2, ms[900]);
    return 0;
}
