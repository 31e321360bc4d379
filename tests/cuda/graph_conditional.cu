#include <cuda_runtime.h>
__global__ void countdown(char *dPtr, cudaGraphConditionalHandle handle) {
  if (--(*dPtr) == 0) cudaGraphSetConditional(handle, 0);
  else cudaGraphSetConditional(handle, 1);
}
