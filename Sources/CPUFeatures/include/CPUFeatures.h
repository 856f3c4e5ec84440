#ifndef SIGNET_CPU_FEATURES_H
#define SIGNET_CPU_FEATURES_H

/// 1 when the processor has AVX2 and FMA (x86-64-v3, "haswell"), which a release build of the
/// Engine module is compiled for on x86-64; 1 on other architectures, where nothing is assumed.
int signet_cpu_supports_engine_build(void);

/// 1 when the processor and the operating system support the AVX-512 subsets that a release
/// build of the AVX512Loops module is compiled for ("skylake-avx512": F, CD, BW, DQ, VL); 0
/// otherwise, and on other architectures.
int signet_cpu_supports_avx512_loops(void);

#endif
