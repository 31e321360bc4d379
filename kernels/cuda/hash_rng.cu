// Counter-based hashing and random numbers on 32-bit unsigned integers: MurmurHash3's fmix32
// finaliser (multiplications wrap modulo 2^32), a few xorshift32 steps (Marsaglia 2003), and an
// unbiased-enough bucket index by the multiply-high trick (Lemire 2019) with __umulhi.
__device__ unsigned int fmix32(unsigned int h)
{
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h;
}

__device__ unsigned int xorshift32(unsigned int s)
{
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    return s;
}

__global__ void hash_rng(const unsigned int* __restrict__ keys, unsigned int* __restrict__ hashes,
                         unsigned int* __restrict__ randoms, unsigned int* __restrict__ buckets,
                         unsigned int seed, int rounds, unsigned int nbuckets, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n)
        return;
    unsigned int h = fmix32(keys[i] ^ seed);
    hashes[i] = h;
    unsigned int s = h | 1u;  // xorshift's state must not be zero
    for (int r = 0; r < rounds; ++r)
        s = xorshift32(s);
    randoms[i] = s;
    buckets[i] = __umulhi(s, nbuckets);
}
