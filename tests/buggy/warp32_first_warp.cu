// "The first warp" spelled threadIdx.x < 32.
// check: --grid 1 --block 64 --arg n=64
__global__ void first_warp_max(const int* x, int* out, int n)
{
    int v = x[threadIdx.x];
    if (threadIdx.x < 32) {  // expect: PORT7005
        for (int o = warpSize / 2; o > 0; o /= 2)
            v = max(v, __shfl_down_sync(__activemask(), v, o));
        if (threadIdx.x == 0)
            out[0] = v;
    }
}
