// CLBlast's C API (Debian: libclblast-dev) over the OpenCL C API, pinned as the root package's
// COpenCL pins it: OpenCL 3.0 with the 1.2 entry points (clCreateCommandQueue) still declared.
#define CL_TARGET_OPENCL_VERSION 300
#define CL_USE_DEPRECATED_OPENCL_1_2_APIS
#include <CL/cl.h>
#include <clblast_c.h>
