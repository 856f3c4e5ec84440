#include "CPUFeatures.h"

int signet_cpu_supports_engine_build(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return 1;
#endif
}

int signet_cpu_supports_avx512_loops(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    // compiler-rt's feature bits also check that the OS saves the 512-bit state (XCR0).
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") && __builtin_cpu_supports("avx512bw")
        && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
#else
    return 0;
#endif
}
