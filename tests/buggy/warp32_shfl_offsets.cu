// A warp sum whose offsets start at 16: on a 64-lane wavefront it sums only 32 of the lanes.
// check: --grid 1 --block 32 --arg n=32
__global__ void warp_sum(float* x, int n)
{
    float v = x[threadIdx.x];
    for (int o = 16; o > 0; o /= 2)
        v += __shfl_xor_sync(__activemask(), v, o);  // expect: PORT7004
    x[threadIdx.x] = v;
}
