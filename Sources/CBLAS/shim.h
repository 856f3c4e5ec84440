// OpenBLAS's CBLAS interface (Debian: libopenblas-dev), with its thread-count controls.
#include <cblas.h>
