#ifndef SIGNET_CPU_FEATURES_H
#define SIGNET_CPU_FEATURES_H

/// 1 when the processor has AVX2 and FMA (x86-64-v3, "haswell"), which a release build of the
/// Engine module is compiled for on x86-64; 1 on other architectures, where nothing is assumed.
int signet_cpu_supports_engine_build(void);

#endif
