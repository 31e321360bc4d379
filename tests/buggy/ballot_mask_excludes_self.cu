// A ballot whose mask names only lane 0, run by every lane of the warp.
// check: --grid 1 --block 32 --arg n=32
__global__ void votes(const float* x, unsigned long long* out, int n)
{
    unsigned long long b = __ballot_sync(1u, x[threadIdx.x] > 0.0f);  // expect: PORT8006
    if (threadIdx.x == 0)
        out[0] = b;
}
