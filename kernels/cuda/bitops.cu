// Bit-twiddling on 32-bit words: population count, leading zeros, bit reversal, first set bit
// (CUDA integer intrinsics), and the next power of two by smearing the highest set bit right
// (Hacker's Delight 3-2; unsigned wrap-around maps 0 and values above 2^31 to 0).
__device__ unsigned int next_pow2(unsigned int v)
{
    v--;
    v |= v >> 1;
    v |= v >> 2;
    v |= v >> 4;
    v |= v >> 8;
    v |= v >> 16;
    return v + 1;
}

__global__ void bitops(const unsigned int* __restrict__ words, int* __restrict__ pop,
                       int* __restrict__ lz, unsigned int* __restrict__ rev,
                       int* __restrict__ first, unsigned int* __restrict__ npow2, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) {
        unsigned int w = words[i];
        pop[i] = __popc(w);
        lz[i] = __clz(w);
        rev[i] = __brev(w);
        first[i] = __ffs(w);
        npow2[i] = next_pow2(w);
    }
}
