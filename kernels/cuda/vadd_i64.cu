// Vector add with 64-bit indexing, safe for arrays of more than 2^31 elements.
__global__ void vadd_i64(const float* __restrict__ a, const float* __restrict__ b,
                         float* __restrict__ c, long long n)
{
    long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        c[i] = a[i] + b[i];
}
