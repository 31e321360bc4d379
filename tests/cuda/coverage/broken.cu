#include "missing_header.h"
// the header is treated as empty (PORT0006); the kernel needs a name from it
__global__ void lost(float *a) { a[0] = MISSING_VALUE; }
