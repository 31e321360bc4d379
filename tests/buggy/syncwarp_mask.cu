// __syncwarp with the lower half-warp's mask, reached by the whole warp.
// check: --grid 1 --block 32 --arg n=32
__global__ void pairs(float* x, int n)
{
    __shared__ float s[32];
    s[threadIdx.x] = x[threadIdx.x];
    __syncwarp(0x0000ffff);  // expect: PORT8006
    x[threadIdx.x] = s[threadIdx.x ^ 1];
}
