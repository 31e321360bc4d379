// Lane and warp ids computed with literal 32-lane arithmetic.
// check: --grid 1 --block 64 --arg n=64
__global__ void lane_ids(int* lane, int* warp, int n)
{
    int t = threadIdx.x;
    lane[t] = t & 31;  // expect: PORT7001
    warp[t] = t >> 5;  // expect: PORT7001
}
