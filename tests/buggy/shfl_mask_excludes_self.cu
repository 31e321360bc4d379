// A half-warp mask on a shuffle the whole warp executes: lanes 16-31 are not in the mask.
// check: --grid 1 --block 32 --arg n=32
__global__ void broadcast(float* x, int n)
{
    float v = x[threadIdx.x];
    v = __shfl_sync(0x0000ffff, v, 0);  // expect: PORT8006
    x[threadIdx.x] = v;
}
