// A full-warp mask on a shuffle that only the lower half-warp executes.
// check: --grid 1 --block 32 --arg n=32
__global__ void half_scan(float* x, int n)
{
    float v = x[threadIdx.x];
    if (threadIdx.x < 16)
        v += __shfl_up_sync(0xffffffff, v, 1);  // expect: PORT8007 PORT7002
    x[threadIdx.x] = v;
}
