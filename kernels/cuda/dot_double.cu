// Double-precision dot product: per-thread grid-stride partial sums, a shared-memory tree per
// block, and one double atomicAdd per block (sm_60 and later).
#define THREADS 256

__global__ void dot_double(const double* __restrict__ x, const double* __restrict__ y,
                           double* result, int n)
{
    __shared__ double cache[THREADS];
    double acc = 0.0;
    for (int i = blockIdx.x * blockDim.x + threadIdx.x; i < n; i += blockDim.x * gridDim.x)
        acc += x[i] * y[i];
    cache[threadIdx.x] = acc;
    __syncthreads();

    for (int s = THREADS / 2; s > 0; s /= 2) {
        if (threadIdx.x < s)
            cache[threadIdx.x] += cache[threadIdx.x + s];
        __syncthreads();
    }
    if (threadIdx.x == 0)
        atomicAdd(result, cache[0]);
}
