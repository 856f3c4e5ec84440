// The OpenCL C API, pinned to 3.0 with the 1.2 entry points still declared:
// clCreateCommandQueue is the only way to make a queue on a 1.2-only platform.
#define CL_TARGET_OPENCL_VERSION 300
#define CL_USE_DEPRECATED_OPENCL_1_2_APIS
#include <CL/cl.h>
