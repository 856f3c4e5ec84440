// OpenBLAS's CBLAS interface (Debian: libopenblas-dev), called directly as the baseline.
// The root package has its own CBLAS module for the engine; this one is the benchmarks' own, so
// that the baseline does not reach into a target the root package does not export.
#include <cblas.h>
