// Integer min, max and count of negatives with global atomics, one update per thread.
__global__ void minmax_atomic(const int* __restrict__ data, int* lo, int* hi,
                              unsigned int* negatives, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        int v = data[i];
        atomicMin(lo, v);
        atomicMax(hi, v);
        if (v < 0)
            atomicAdd(negatives, 1u);
    }
}
